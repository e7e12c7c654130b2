"""
### news_monitor

Polls the configured feeds, fetches and extracts each new article, folds syndicated copies into
stories, flags the configured topics and sends one alert per new (story, topic).

| task | what it does |
|---|---|
| `prepare` | migrates newsmon's database; mirrors `config/feeds.yaml` and `config/discovery.yaml` into it |
| `poll_feeds` | conditional GET of every due feed; failures are stored on the feed (News Monitor → Feeds) |
| `news_discovery` | the due discovery providers' searches; found articles become entries (Feeds page) |
| `plan_fetch` | splits the new entries into batches |
| `fetch_batch` | one mapped task per batch: fetch + extract each article; a bad page is recorded |
| `fold_stories` | assigns each new copy to a story (or starts one) |
| `flag_topics` | scores new copies against every topic |
| `send_alerts` | queues and emails one alert per new (story, topic); without SMTP they stay pending |
| `check_surges` | one surge alert per flagged story that gained N copies from M sites within H hours |
| `record_run` | records the finished run (for the health check) and emits the health gauges |
| `publish_flagged` | emits the `newsmon_flagged_stories` asset when new flags exist (the digest follows it) |

Every task is idempotent: retries, backfills and overlapping runs never duplicate rows or emails.
Each task times its stage and emits its counts through Airflow's metrics (`[metrics] statsd_on` or
`otel_on`); names and health thresholds are in docs/operations.md.
Settings: environment `NEWSMON_*` (see README), database from the `newsmon_db` connection, SMTP from
`smtp_default`.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from newsmon_assets import FLAGGED_STORIES
from newsmon_retries import retry_args

POLL_MINUTES = float(os.environ.get("NEWSMON_POLL_MINUTES", "15"))


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
    default_args=retry_args(3, longest=timedelta(minutes=10)),
    tags=["newsmon"],
    doc_md=__doc__,
)
def news_monitor():
    # Imports inside the tasks keep the DAG file's parse cost to milliseconds (tests/dags checks it).
    # multiple_outputs=False: a task annotated `-> dict` would also push each key as an XCom of its own
    # (one API request each, seven per fetch_batch); every consumer reads the whole return value.
    @task(multiple_outputs=False)
    def prepare() -> dict:
        from newsmon import pipeline
        from newsmon_metrics import stage_timer

        with stage_timer("prepare"):
            return pipeline.prepare(_settings())

    @task(multiple_outputs=False)
    def poll_feeds(_prepared: dict) -> dict:
        import newsmon_metrics as metrics
        from newsmon import pipeline

        settings, now = _settings(), pipeline.utcnow()
        with metrics.stage_timer("poll_feeds"):
            counts = pipeline.poll_feeds(settings, now=now)
        metrics.poll(settings, counts, since=now)
        return counts

    @task(multiple_outputs=False)
    def news_discovery(_polled: dict) -> dict:
        import newsmon_metrics as metrics
        from newsmon import pipeline

        with metrics.stage_timer("news_discovery"):
            counts = pipeline.discover(_settings())
        metrics.count("news_discovery", counts)
        return counts

    @task(multiple_outputs=False)
    def plan_fetch(_discovered: dict) -> list[list[int]]:
        import newsmon_metrics as metrics
        from newsmon import pipeline

        with metrics.stage_timer("plan_fetch"):
            batches = pipeline.plan_fetch(_settings())
        metrics.count("plan_fetch", {"planned": sum(len(b) for b in batches)})
        return batches

    @task(multiple_outputs=False, max_active_tis_per_dagrun=8)
    def fetch_batch(entry_ids: list[int]) -> dict:
        import newsmon_metrics as metrics
        from newsmon import pipeline

        with metrics.stage_timer("fetch_batch"):
            counts = pipeline.fetch_batch(_settings(), entry_ids)
        metrics.count("fetch_batch", counts)
        return counts

    # none_failed: with no new entries the mapped fetch is skipped, and folding must still run.
    @task(multiple_outputs=False, trigger_rule="none_failed")
    def fold_stories() -> dict:
        import newsmon_metrics as metrics
        from newsmon import pipeline

        with metrics.stage_timer("fold_stories"):
            counts = pipeline.fold_stories(_settings())
        metrics.count("fold_stories", counts)
        return counts

    @task(multiple_outputs=False)
    def flag_topics(_folded: dict) -> dict:
        import newsmon_metrics as metrics
        from newsmon import pipeline

        settings, now = _settings(), pipeline.utcnow()
        with metrics.stage_timer("flag_topics"):
            counts = pipeline.flag_topics(settings, now=now)
        metrics.flags(settings, counts, since=now)
        return counts

    @task(multiple_outputs=False)
    def send_alerts(_flagged: dict) -> dict:
        import newsmon_metrics as metrics
        from newsmon import pipeline
        from newsmon_airflow import smtp_from_airflow

        with metrics.stage_timer("send_alerts"):
            counts = pipeline.send_alerts(_settings(), smtp_from_airflow())
        metrics.count("send_alerts", counts)
        return counts

    @task(multiple_outputs=False)
    def check_surges(_flagged: dict) -> dict:
        import newsmon_metrics as metrics
        from newsmon import pipeline
        from newsmon_airflow import smtp_from_airflow

        with metrics.stage_timer("check_surges"):
            counts = pipeline.check_surges(_settings(), smtp_from_airflow())
        metrics.count("check_surges", counts)
        return counts

    # Runs only when every stage before it succeeded: its record is the health check's "last successful run".
    @task(multiple_outputs=False)
    def record_run(alerts: dict, surges: dict, **context) -> dict:
        import newsmon_metrics as metrics
        from newsmon import pipeline

        settings, now = _settings(), pipeline.utcnow()
        started = context["dag_run"].start_date
        with metrics.stage_timer("record_run"):
            pipeline.record_run(
                settings,
                context["run_id"],
                started_at=started,
                summary={"alerts": alerts, "surge": surges},
                now=now,
            )
        report = metrics.run_finished(settings, started_at=started, now=now)
        return report.as_dict() if report else {}

    @task(multiple_outputs=False, outlets=[FLAGGED_STORIES])
    def publish_flagged(flagged: dict) -> dict:
        from airflow.sdk.exceptions import AirflowSkipException

        if not flagged.get("new_flags"):
            raise AirflowSkipException("no new flagged stories in this run")
        return flagged

    batches = plan_fetch(news_discovery(poll_feeds(prepare())))
    fetched = fetch_batch.expand(entry_ids=batches)
    folded = fold_stories()
    fetched >> folded
    flagged = flag_topics(folded)
    record_run(send_alerts(flagged), check_surges(flagged))
    publish_flagged(flagged)


news_monitor()
