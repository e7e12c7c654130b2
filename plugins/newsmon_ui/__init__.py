"""The News Monitor page: a FastAPI app mounted by Airflow's api-server at /newsmon.

Airflow loads `newsmon_ui_plugin.py` (see `.airflowignore`); the rest is an ordinary package imported
from the plugins folder, which Airflow puts on sys.path.
"""
