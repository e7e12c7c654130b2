"""The News Monitor page: a FastAPI app mounted by Airflow's api-server at /newsmon.

Airflow loads `newsmon_ui_plugin.py` (see `.airflowignore`); the rest is an ordinary package imported
from the plugins folder, which Airflow puts on sys.path. This file stays free of imports: the plugin
entry point reads its constants in every Airflow process.
"""

PREFIX = "/newsmon"
URL_ROUTE = "newsmon"  # the nav link's route in the Airflow UI: /plugin/newsmon embeds the page
