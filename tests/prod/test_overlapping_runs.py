"""Two runs of news_monitor at once, past `max_active_runs=1` (two `airflow dags test` processes with
different logical dates, as a backfill beside the schedule would be), on one newsmon PostgreSQL database and a
PostgreSQL metadata database: the same rows as one clean run, and each alert delivered once."""

from __future__ import annotations

import os
import subprocess
import uuid

import psycopg
import pytest

from tests.conftest import REPO, pg_admin_url, pg_url
from tests.prod.helpers import (
    BIN,
    alert_headers,
    comparable,
    counts,
    duplicates,
    stop_process,
)


@pytest.fixture
def airflow_pg(tmp_path):
    """An Airflow home with its metadata on a fresh PostgreSQL database (SQLite cannot take two writers)."""
    name = f"newsmon_t_af_{uuid.uuid4().hex[:10]}"
    admin = pg_admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": pg_url(name),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": pg_url(name, "postgresql+psycopg_async"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
    }
    subprocess.run([BIN / "airflow", "db", "migrate"], env=env, check=True, capture_output=True, timeout=120)
    # Register the DAGs once: two `dags test` processes writing a new DAG's row at the same instant race on
    # Airflow's own `dag_pkey` (seen here); a deployment's DAG processor has always done this first.
    subprocess.run(
        [BIN / "airflow", "dags", "reserialize"], env=env, check=True, capture_output=True, timeout=120
    )
    try:
        yield env, pg_url(name, "postgresql")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_overlapping_runs_give_the_result_of_one(
    airflow_pg, pg_url, reference, demo_server, demo_feeds_file, smtp_sink, tmp_path
):
    env, meta_url = airflow_pg
    env.update(
        NEWSMON_DB_URL=pg_url,
        NEWSMON_FEEDS_FILE=str(demo_feeds_file),
        NEWSMON_SMTP_URL=smtp_sink.url,
        # slow the fetch a little so that the two runs' fetch stages are in flight together
        NEWSMON_HOST_DELAY="0.2",
    )
    procs = []
    for day in ("2026-11-01", "2026-11-02"):
        log = open(tmp_path / f"run-{day}.log", "w")  # noqa: SIM115 - closed after the process
        procs.append(
            (
                subprocess.Popen(
                    [BIN / "airflow", "dags", "test", "news_monitor", f"{day}T00:00:00+00:00"],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                ),
                log,
            )
        )
    try:
        for proc, _ in procs:
            proc.wait(timeout=180)
    finally:
        for proc, log in procs:
            stop_process(proc)
            log.close()
    logs = [(tmp_path / f"run-{d}.log").read_text() for d in ("2026-11-01", "2026-11-02")]
    assert [p.returncode for p, _ in procs] == [0, 0], logs[0][-3000:] + logs[1][-3000:]

    with psycopg.connect(meta_url) as conn:
        runs = conn.execute(
            "SELECT state, start_date, end_date FROM dag_run"
            " WHERE dag_id = 'news_monitor' ORDER BY start_date"
        ).fetchall()
    assert [r[0] for r in runs] == ["success", "success"], runs
    (_, _start_a, end_a), (_, start_b, _end_b) = runs
    assert start_b < end_a, "the two runs did not overlap"

    got = counts(pg_url)
    assert comparable(got) == comparable(reference.one)
    assert {k: v for k, v in duplicates(pg_url).items() if v} == {}
    sent = alert_headers(smtp_sink.messages)
    assert got["alerts"] > 0 and got["alerts_sent"] == got["alerts"] == len(sent)
    assert set(sent.values()) == {1}, sent
