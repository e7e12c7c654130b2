"""
### news_backfill

Re-scores the stored archive with the current version of a topic, so a new or edited topic sees the
stories that were folded before it changed (`news_monitor` scores copies only as they arrive).

- `plan`, `batches`: the topic(s), and their stories with a copy since `since` not yet scored with the
  topic's current version (the content hash of its files), in batches;
- `score_batch`: one mapped task per batch scores every copy as the monitor does, creates or replaces
  flags and removes those the new version no longer raises;
- `finish`: marks the backfill done; **one summary email per recipient** lists the flags found on stories
  older than `NEWSMON_BACKFILL_QUIET_AGE` (24h), which get no alert each;
- `send_alerts`: the usual one alert per new flag on the newer stories.

Params: `topic` (empty: every topic whose current version was never backfilled, i.e. new or edited
topics) and `since` (e.g. `30d`; empty: `NEWSMON_BACKFILL_SINCE`, default 30d). Trigger it from the
Airflow UI (Trigger, with the params form) or `airflow dags trigger news_backfill -c '{"topic": "x"}'`;
`newsmon topics backfill` does the same without Airflow. It also runs on `NEWSMON_BACKFILL_SCHEDULE`
(default hourly; `none` for manual runs only) and then does nothing unless a topic is new or edited.

Safe to re-run: each (topic, version) has one backfill row, stories already scanned with the version are
skipped, flags are written through their (story, topic) key and the summary goes once per recipient and
version. Preview a change first: `newsmon topics preview FILE` or News Monitor → Topic preview.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

from newsmon_retries import retry_args

SCHEDULE = os.environ.get("NEWSMON_BACKFILL_SCHEDULE", "@hourly").strip() or "@hourly"


def _settings():
    from newsmon_airflow import settings_from_airflow

    return settings_from_airflow()


@dag(
    dag_id="news_backfill",
    schedule=None if SCHEDULE.lower() == "none" else SCHEDULE,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=6),
    default_args=retry_args(2, longest=timedelta(minutes=10)),
    params={
        "topic": Param(
            "",
            type="string",
            maxLength=100,
            description="Topic name (the file name in config/topics without .yaml); "
            "empty: every new or edited topic.",
        ),
        "since": Param(
            "",
            type="string",
            maxLength=20,
            description="Re-score stories with a copy within this span, e.g. 30d or 12h; "
            "empty: NEWSMON_BACKFILL_SINCE (30d).",
        ),
    },
    tags=["newsmon"],
    doc_md=__doc__,
)
def news_backfill():
    # Imports inside the tasks keep the DAG file's parse cost to milliseconds (tests/dags checks it).
    # multiple_outputs=False: a task annotated `-> dict` would also push each key as an XCom of its own
    # (one API request each, seven per fetch_batch); every consumer reads the whole return value.
    @task(multiple_outputs=False)
    def plan(params=None) -> dict:
        from newsmon import pipeline
        from newsmon.config.settings import parse_duration
        from newsmon.store.db import upgrade
        from newsmon.topics.backfill import start

        settings = _settings()
        upgrade(settings.db_url)
        topic = (params or {}).get("topic") or None
        raw_since = (params or {}).get("since") or ""
        since = parse_duration(raw_since) if raw_since.strip() else None
        started = start(settings, topic=topic, since=since, now=pipeline.utcnow())
        return {
            "backfill_ids": [s.backfill_id for s in started],
            "batches": [b.to_dict() for s in started for b in s.batches],
        }

    @task(multiple_outputs=False)
    def batches(planned: dict) -> list[dict]:
        """The mapped task's list (Airflow maps over a task's whole return value only)."""
        return planned["batches"]

    @task(multiple_outputs=False, max_active_tis_per_dagrun=4)
    def score_batch(batch: dict) -> dict:
        from newsmon import pipeline
        from newsmon.topics.backfill import BackfillBatch, run_batch

        return run_batch(_settings(), BackfillBatch.from_dict(batch), now=pipeline.utcnow())

    # none_failed: with nothing to re-score the mapped task is skipped, and the summaries still go out.
    @task(multiple_outputs=False, trigger_rule="none_failed")
    def finish(planned: dict, counts=None) -> dict:
        from newsmon import pipeline
        from newsmon.topics.backfill import finish as finish_backfill
        from newsmon_airflow import smtp_from_airflow

        done = [dict(c) for c in (counts or [])]
        return finish_backfill(
            _settings(),
            planned["backfill_ids"],
            smtp=smtp_from_airflow(),
            now=pipeline.utcnow(),
            batch_counts=done,
        )

    @task(multiple_outputs=False)
    def send_alerts(_finished: dict) -> dict:
        from newsmon import pipeline
        from newsmon_airflow import smtp_from_airflow

        return pipeline.send_alerts(_settings(), smtp_from_airflow())

    planned = plan()
    scored = score_batch.expand(batch=batches(planned))
    send_alerts(finish(planned, scored))


news_backfill()
