"""
### news_digest

One email per recipient and period listing the stories newly flagged for each topic they follow since
their last digest, with counts of new copies on stories flagged before. The instant notice is the
alert's job (`news_monitor`); the digest is the summary that arrives at a predictable time.

| `NEWSMON_DIGEST_SCHEDULE` | runs | one digest per |
|---|---|---|
| `daily` (default) | every day at 07:00 UTC | day (UTC) |
| `hourly` | at the top of every hour | hour |
| `weekly` | Mondays at 07:00 UTC | ISO week |
| `asset` | whenever `news_monitor` flags new stories (`newsmon_flagged_stories`), and hourly | hour |
| a cron string, e.g. `30 6 * * 1-5` | at those times (UTC) | `NEWSMON_DIGEST_PERIOD`, default day |

`NEWSMON_DIGEST_PERIOD` (`hourly`, `daily`, `weekly`) overrides the period of any schedule.
`daily` does not follow the asset: a daily digest that leaves with the first flag after midnight would
arrive at a different hour every day. `asset` is for those who want the summary soon after new flags; its
hourly runs send what was flagged after that hour's digest had gone out, so nothing waits for the next flag.

Idempotent per period: a digest row per (recipient, period) is claimed before sending and marked sent
at once, so retries, re-runs and overlapping runs of one period send nothing more. The period is that of
the run's time (`run_after`), so a retry or a cleared run of yesterday never sends today's digest.
A recipient with nothing new gets no email. SMTP unreachable: the task fails and Airflow retries it
within the same period. No SMTP connection (`smtp_default`) at all: the task is skipped with a warning.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from newsmon_assets import FLAGGED_STORIES
from newsmon_retries import retry_args

PERIODS = ("hourly", "daily", "weekly")
NAMED = {
    "daily": ("0 7 * * *", "daily"),
    "hourly": ("0 * * * *", "hourly"),
    "weekly": ("0 7 * * 1", "weekly"),
}


def digest_schedule(value: str, period_override: str = ""):
    """(Airflow schedule, digest period) for a NEWSMON_DIGEST_SCHEDULE value; ValueError if it is neither a
    known name nor a five-field cron string, so a typo shows as an import error, not as silence."""
    value = " ".join((value or "daily").split())
    override = period_override.strip().lower()
    if override and override not in PERIODS:
        raise ValueError(f"NEWSMON_DIGEST_PERIOD={period_override!r}: use one of {', '.join(PERIODS)}")
    key = value.lower()
    if key == "asset":
        hourly = CronTriggerTimetable("0 * * * *", timezone="UTC")
        return AssetOrTimeSchedule(timetable=hourly, assets=FLAGGED_STORIES), override or "hourly"
    if key in NAMED:
        cron, period = NAMED[key]
        return CronTriggerTimetable(cron, timezone="UTC"), override or period
    if len(value.split(" ")) == 5:
        from croniter import croniter

        if not croniter.is_valid(value):
            raise ValueError(f"NEWSMON_DIGEST_SCHEDULE={value!r} is not a valid cron expression")
        return CronTriggerTimetable(value, timezone="UTC"), override or "daily"
    raise ValueError(
        f"NEWSMON_DIGEST_SCHEDULE={value!r}: use daily, hourly, weekly, asset or a five-field cron string"
    )


SCHEDULE, PERIOD = digest_schedule(
    os.environ.get("NEWSMON_DIGEST_SCHEDULE", "daily"), os.environ.get("NEWSMON_DIGEST_PERIOD", "")
)


@dag(
    dag_id="news_digest",
    schedule=SCHEDULE,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=1),
    default_args=retry_args(4, longest=timedelta(minutes=20)),
    tags=["newsmon"],
    doc_md=__doc__,
)
def news_digest():
    @task
    def send_digest(dag_run=None) -> dict:
        from datetime import UTC, datetime

        from airflow.sdk.exceptions import AirflowSkipException

        from newsmon import pipeline
        from newsmon_airflow import settings_from_airflow, smtp_from_airflow

        smtp = smtp_from_airflow()
        if smtp is None:
            raise AirflowSkipException("no SMTP connection defined: no digest sent (see the log above)")
        now = datetime.now(UTC)
        run_after = getattr(dag_run, "run_after", None)
        if run_after is not None:  # the run's own time fixes the period; never a time in the future
            now = min(now, datetime.fromtimestamp(run_after.timestamp(), UTC))
        counts = pipeline.send_digest(settings_from_airflow(), smtp, now=now, period=PERIOD)
        if counts["pending"]:
            # Unsent digests of this period are retried by Airflow; the retry reuses the same period and
            # window, and skips the recipients already served.
            raise RuntimeError(f"{counts['pending']} digest(s) for {counts['period']} not delivered yet")
        return counts

    send_digest()


news_digest()
