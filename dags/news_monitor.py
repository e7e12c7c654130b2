"""
### news_monitor

Polls the configured feeds, fetches and extracts each new article, folds syndicated copies into
stories, flags the configured topics and sends one alert per new (story, topic).

| task | what it does |
|---|---|
| `prepare` | migrates newsmon's database and mirrors `config/feeds.yaml` into it |
| `poll_feeds` | conditional GET of every due feed; failures are stored on the feed (News Monitor → Feeds) |
| `plan_fetch` | splits the new entries into batches |
| `fetch_batch` | one mapped task per batch: fetch + extract each article; a bad page is recorded |
| `fold_stories` | assigns each new copy to a story (or starts one) |
| `flag_topics` | scores new copies against every topic |
| `send_alerts` | queues and emails one alert per new (story, topic); without SMTP they stay pending |
| `publish_flagged` | emits the `newsmon_flagged_stories` asset when new flags exist (the digest follows it) |

Every task is idempotent: retries, backfills and overlapping runs never duplicate rows or emails.
Settings: environment `NEWSMON_*` (see README), database from the `newsmon_db` connection, SMTP from
`smtp_default`.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from newsmon_assets import FLAGGED_STORIES

POLL_MINUTES = float(os.environ.get("NEWSMON_POLL_MINUTES", "15"))
RETRY_SECONDS = float(os.environ.get("NEWSMON_RETRY_SECONDS", "30"))


def _settings():
    from newsmon_airflow import settings_from_airflow

    return settings_from_airflow()


@dag(
    dag_id="news_monitor",
    schedule=timedelta(minutes=POLL_MINUTES),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    default_args={
        "retries": 3,
        "retry_delay": timedelta(seconds=RETRY_SECONDS),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
    },
    tags=["newsmon"],
    doc_md=__doc__,
)
def news_monitor():
    @task
    def prepare() -> dict:
        from newsmon import pipeline

        return pipeline.prepare(_settings())

    @task
    def poll_feeds(_prepared: dict) -> dict:
        from newsmon import pipeline

        return pipeline.poll_feeds(_settings())

    @task
    def plan_fetch(_polled: dict) -> list[list[int]]:
        from newsmon import pipeline

        return pipeline.plan_fetch(_settings())

    @task(max_active_tis_per_dagrun=8)
    def fetch_batch(entry_ids: list[int]) -> dict:
        from newsmon import pipeline

        return pipeline.fetch_batch(_settings(), entry_ids)

    # none_failed: with no new entries the mapped fetch is skipped, and folding must still run.
    @task(trigger_rule="none_failed")
    def fold_stories() -> dict:
        from newsmon import pipeline

        return pipeline.fold_stories(_settings())

    @task
    def flag_topics(_folded: dict) -> dict:
        from newsmon import pipeline

        return pipeline.flag_topics(_settings())

    @task
    def send_alerts(_flagged: dict) -> dict:
        from newsmon import pipeline
        from newsmon_airflow import smtp_from_airflow

        return pipeline.send_alerts(_settings(), smtp_from_airflow())

    @task(outlets=[FLAGGED_STORIES])
    def publish_flagged(flagged: dict) -> dict:
        from airflow.sdk.exceptions import AirflowSkipException

        if not flagged.get("new_flags"):
            raise AirflowSkipException("no new flagged stories in this run")
        return flagged

    batches = plan_fetch(poll_feeds(prepare()))
    fetched = fetch_batch.expand(entry_ids=batches)
    folded = fold_stories()
    fetched >> folded
    flagged = flag_topics(folded)
    send_alerts(flagged)
    publish_flagged(flagged)


news_monitor()
