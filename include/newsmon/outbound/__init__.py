"""What newsmon publishes outward: a per-topic Atom feed of flagged stories for feed readers that cannot
log in to Airflow (behind a per-topic secret token), and CSV/JSON exports of the News Monitor list.

Import the submodules directly (``newsmon.outbound.atom``, ``.tokens``, ``.export``).
"""
