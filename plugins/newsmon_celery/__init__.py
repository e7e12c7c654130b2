"""Celery settings of the production stack: Airflow's own, plus `imports` (scripts/prod.sh points
`[celery] celery_config_options` at CELERY_CONFIG; Airflow then uses this dict as the whole Celery
configuration, so it starts from Airflow's DEFAULT_CELERY_CONFIG).

A Celery worker forks a process for every task, and that process inherits what the worker imported. Left
to itself each task imported newsmon's stages anew: 0.6 s for the Airflow glue and the pipeline, 1.0 s
more for extraction (trafilatura, lxml) in every fetch_batch, 0.5 s for folding and flagging (measured in
a process that had imported the Task SDK, as a worker has). `imports` makes each worker import them once,
when it starts, and `newsmon_celery.warm` reads the topics once for every task after it. The plugin
loader skips this package (.airflowignore): only Celery imports it.
"""

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

CELERY_CONFIG = {
    **DEFAULT_CELERY_CONFIG,
    "imports": (
        "newsmon_airflow",
        "newsmon_metrics",
        "newsmon.pipeline",
        "newsmon.extract.fetch",
        "newsmon.stories.fold",
        "newsmon.topics.flagging",
        "newsmon.alerts.stage",
        "newsmon.alerts.surge",
        "newsmon_celery.warm",
    ),
}
