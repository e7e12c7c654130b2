"""newsmon: a news-monitoring pipeline whose stages are plain Python, wired into Airflow by thin DAGs.

Importing this package must stay cheap (no feedparser, trafilatura or Airflow here), because the
Airflow DAG processor imports the DAG files that import it many times a minute.
"""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/newsmon/newsmon"
USER_AGENT = f"newsmon/{__version__} (+{PROJECT_URL})"
