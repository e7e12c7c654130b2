"""Article fetch and extraction: robots, non-HTML answers, trafilatura, cleaning, attribution.

Nothing is imported here so that ``import newsmon`` stays cheap; use ``newsmon.extract.fetch`` and
``newsmon.extract.article`` directly.
"""
