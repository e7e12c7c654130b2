"""Every DAG file imports cleanly, fast, and carries the conventions operators rely on."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

DAG_FILES = sorted(p for p in (REPO / "dags").glob("*.py") if not p.name.startswith("_"))


@pytest.fixture(scope="module")
def dagbag():
    from airflow.models import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "news_monitor" in dagbag.dags


def test_conventions(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, dag_id
        assert dag.doc_md, dag_id
        assert dag.max_active_runs == 1 or dag_id != "news_monitor"
        assert not dag.catchup, dag_id
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def test_monitor_stage_order(dagbag):
    dag = dagbag.dags["news_monitor"]
    order = [
        "prepare",
        "poll_feeds",
        "news_discovery",
        "plan_fetch",
        "fetch_batch",
        "fold_stories",
        "flag_topics",
        "send_alerts",
    ]
    for upstream, downstream in itertools.pairwise(order):
        assert downstream in dag.get_task(upstream).downstream_task_ids
    assert dag.get_task("publish_flagged").outlets


def _run_fresh_python(code: str) -> str:
    """Run code in a new interpreter with the DAG and plugin folders on its path; return its output."""
    env_path = f"{REPO / 'dags'}:{REPO / 'plugins'}"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": env_path},
        timeout=120,
    )
    return out.stdout


def test_dag_files_do_not_import_heavy_libraries_at_parse_time():
    code = (
        "import sys, runpy\n"
        f"[runpy.run_path(p) for p in {[str(p) for p in DAG_FILES]!r}]\n"
        "heavy = ('trafilatura', 'feedparser', 'datasketch', 'sqlalchemy.orm')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    stdout = _run_fresh_python(code)
    assert "trafilatura" not in stdout and "feedparser" not in stdout, stdout
