"""The production stack for real: `scripts/prod.sh` starts PostgreSQL-backed Airflow with the CeleryExecutor,
a private Redis, two Celery workers, scheduler, DAG processor, triggerer and API server; then faults.

1. A worker is SIGKILLed (its whole process group) in the middle of fetch_batch: the scheduler notices the
   missing heartbeats, the task is retried on the other worker, the run succeeds, nothing lost or doubled.
2. Every connection to newsmon's database is terminated (pg_terminate_backend, repeatedly) while a run is
   fetching: the run fails cleanly or retries, the next run completes the work, nothing doubled.

Both end equal to the reference: the same feed lists run cleanly, in order, in one process.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import REPO, pg_admin_url, pg_url
from tests.prod.conftest import write_feeds
from tests.prod.helpers import (
    alert_headers,
    comparable,
    counts,
    duplicates,
    group_alive,
    kill_group,
    wait_for,
)
from tests.smtp_server import MailServer, free_port


class Stack:
    """Handle on one started stack: its environment, databases, and the processes' pid files."""

    def __init__(self, home: Path, env: dict[str, str], airflow_db: str, newsmon_db: str) -> None:
        self.home, self.env = home, env
        self.meta_url = pg_url(airflow_db, "postgresql")
        self.newsmon_db = newsmon_db
        self.newsmon_url = pg_url(newsmon_db)
        self.api = f"http://127.0.0.1:{env['PROD_API_PORT']}"
        self._token: str | None = None

    def script(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(REPO / "scripts" / "prod.sh"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def pgid(self, component: str) -> int:
        return int((self.home / "run" / f"{component}.pid").read_text())

    def meta(self, sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.meta_url) as conn:
            return conn.execute(sql, params).fetchall()

    def runs(self) -> list[tuple[str, str]]:
        return [
            (r[0], r[1])
            for r in self.meta("SELECT run_id, state FROM dag_run WHERE dag_id = 'news_monitor' ORDER BY id")
        ]

    def task(self, run_id: str, task_id: str) -> list[tuple]:
        return self.meta(
            "SELECT map_index, state, try_number, pid, hostname FROM task_instance "
            "WHERE dag_id = 'news_monitor' AND run_id = %s AND task_id = %s ORDER BY map_index",
            (run_id, task_id),
        )

    def _api(self, method: str, path: str, body: dict | None = None) -> dict:
        if self._token is None:
            users = json.loads((self.home / "simple_auth_manager_passwords.json.generated").read_text())
            reply = self._request("POST", "/auth/token", {"username": "admin", "password": users["admin"]})
            self._token = reply["access_token"]
        return self._request(method, path, body, self._token)

    def _request(self, method: str, path: str, body: dict | None, token: str | None = None) -> dict:
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        req = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.api + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json", **auth},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - the stack's own API
            return json.loads(resp.read() or b"{}")

    def trigger(self) -> str:
        return self._api("POST", "/api/v2/dags/news_monitor/dagRuns", {"logical_date": None})["dag_run_id"]

    def wait_run(self, run_id: str, timeout: float = 150) -> str:
        def finished():
            state = dict(self.runs()).get(run_id)
            return state if state in ("success", "failed") else None

        return wait_for(finished, timeout, 1.0, f"run {run_id} to finish")


@pytest.fixture(scope="module")
def servers():
    from newsmon.demo.server import DemoServer

    with DemoServer(port=0) as first, DemoServer(port=0) as second:
        yield first, second


@pytest.fixture(scope="module")
def sink():
    sink = MailServer().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, servers, sink, celery_broker):
    home = tmp_path_factory.mktemp("prod-home")
    feeds = write_feeds(home / "feeds.yaml", servers[0])
    pg = make_url(pg_admin_url())
    tag = uuid.uuid4().hex[:8]
    airflow_db, newsmon_db = f"newsmon_t_paf_{tag}", f"newsmon_t_pnm_{tag}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSMON_"))}
    env.update(
        PROD_HOME=str(home),
        PROD_AIRFLOW_DB=airflow_db,
        PROD_NEWSMON_DB=newsmon_db,
        PROD_PG_HOST=str(pg.host),
        PROD_PG_PORT=str(pg.port),
        PROD_PG_USER=str(pg.username),
        PROD_REDIS_URL=celery_broker,
        PROD_API_PORT=str(free_port()),
        PROD_LOG_PORT_BASE=str(free_port()),
        PROD_WORKER_CONCURRENCY="2",
        PROD_PARALLELISM="8",
        PROD_HEARTBEAT_TIMEOUT="12",  # a dead worker's task is failed (and retried) 12 s after its last beat
        PROD_HEARTBEAT_CHECK="3",
        PROD_STOP_TIMEOUT="15",
        PROD_STATUS_WAIT="60",  # on a loaded 2-core machine the API may take seconds to answer `status`
        PROD_SMTP_URL=sink.url,
        NEWSMON_FEEDS_FILE=str(feeds),
        NEWSMON_CONFIG_DIR=str(REPO / "config"),
        NEWSMON_HOST_DELAY="0.6",  # 15 pages from one host: fetch_batch takes ~10 s, time to kill it
        NEWSMON_RETRY_SECONDS="1",
    )
    stack = Stack(home, env, airflow_db, newsmon_db)
    try:
        started = stack.script("start")
        assert started.returncode == 0, started.stdout + started.stderr
        assert "login: admin" in started.stdout
        yield stack
    finally:
        stopped = stack.script("stop", timeout=120)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        leftovers = [p.stem for p in (home / "run").glob("*.pid")]
        for name in (airflow_db, newsmon_db):
            with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        assert leftovers == [], f"pid files left after stop: {leftovers}"


def _tree(pgid: int) -> list:
    import psutil

    root = psutil.Process(pgid)
    return [root, *root.children(recursive=True)]


def _fetch_running(stack: Stack, run_id: str):
    rows = [r for r in stack.task(run_id, "fetch_batch") if r[1] == "running" and r[3]]
    return rows[0] if rows else None


def _assert_clean(stack: Stack, sink, expected: dict[str, int]) -> None:
    got = counts(stack.newsmon_url)
    assert comparable(got) == comparable(expected)
    assert {k: v for k, v in duplicates(stack.newsmon_url).items() if v} == {}
    sent = alert_headers(sink.messages)
    assert got["alerts"] > 0 and got["alerts_sent"] == got["alerts"] == len(sent)
    assert set(sent.values()) == {1}, sent


def test_worker_killed_mid_task_is_retried_and_nothing_is_lost(stack, sink, reference):
    status = stack.script("status")
    assert status.returncode == 0, status.stdout
    workers = {name: stack.pgid(name) for name in ("worker1", "worker2")}
    assert len(set(workers.values())) == 2
    # The scheduler starts the first run by itself (unpaused at creation, catch-up off).
    run_id = wait_for(lambda: next((r for r, _ in stack.runs()), None), 120, 1.0, "the first scheduled run")
    running = wait_for(lambda: _fetch_running(stack, run_id), 150, 0.3, "fetch_batch running")
    _, _, try_number, pid, _ = running
    time.sleep(2)  # well inside the batch: some pages stored, most not
    # The task process runs in a session of its own under the worker's supervisor: a crashed machine
    # takes the whole tree, so SIGKILL the worker's process group and every group below it at once.
    trees = {name: _tree(pgid) for name, pgid in workers.items()}
    victim = next(name for name, procs in trees.items() if pid in {p.pid for p in procs})
    groups = {workers[victim]} | {os.getpgid(p.pid) for p in trees[victim] if p.is_running()}
    for pgid in groups:
        kill_group(pgid)
    wait_for(lambda: not any(group_alive(g) for g in groups), 10, 0.2, "the killed worker to vanish")

    assert stack.wait_run(run_id, 180) == "success"
    (_map_index, state, final_try, _, _), *_more = stack.task(run_id, "fetch_batch")
    assert state == "success" and final_try > try_number, (state, final_try, try_number)
    survivor = next(name for name in workers if name != victim)
    worker_log = (stack.home / "logs" / f"{survivor}.log").read_text()
    assert "task_id='fetch_batch'" in worker_log and f"try_number={final_try}" in worker_log
    _assert_clean(stack, sink, reference.one)


def test_newsmon_database_connections_killed_mid_run_then_next_run_completes(stack, sink, servers, reference):
    feeds_file = Path(stack.env["NEWSMON_FEEDS_FILE"])
    write_feeds(feeds_file, servers[1])  # new feeds with new pages: work for the next run
    run_id = stack.trigger()
    wait_for(lambda: _fetch_running(stack, run_id), 150, 0.3, "fetch_batch running")

    killed = 0
    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:  # the "restart": every session dropped, again and again
            killed += sum(
                1
                for (ok,) in conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (stack.newsmon_db,),
                )
                if ok
            )
            time.sleep(0.2)
    assert killed > 0
    first_state = stack.wait_run(run_id, 180)
    assert first_state in ("success", "failed")

    # The next runs pick up what the broken one left (entries failed by the outage are retried).
    for _ in range(2):
        with psycopg.connect(stack.newsmon_url.replace("+psycopg", "")) as conn:
            left = conn.execute("SELECT count(*) FROM entries WHERE state IN ('new', 'failed')").fetchone()[0]
            unfolded = conn.execute("SELECT count(*) FROM copies WHERE story_id IS NULL").fetchone()[0]
            unscored = conn.execute("SELECT count(*) FROM copies WHERE scored_at IS NULL").fetchone()[0]
            unsent = conn.execute("SELECT count(*) FROM alerts WHERE status <> 'sent'").fetchone()[0]
        if first_state == "success" and not (left or unfolded or unscored or unsent):
            break
        assert stack.wait_run(stack.trigger(), 150) == "success"
        first_state = "success"
    _assert_clean(stack, sink, reference.both)
