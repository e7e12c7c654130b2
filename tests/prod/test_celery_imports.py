"""What each Celery worker imports when it starts (plugins/newsmon_celery): every module loads, and a
topics directory that does not load never keeps a worker from starting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.prod.helpers import REPO

IMPORT_ALL = """
import importlib, sys
sys.path[:0] = [sys.argv[1]]
from newsmon_celery import CELERY_CONFIG
for name in CELERY_CONFIG["imports"]:
    importlib.import_module(name)
from newsmon.topics import model
print("read ahead:", sorted(str(d) for d in model._LOADED))
"""


def _import_all(topics_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSMON_TOPICS_DIR": str(topics_dir)}
    return subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, str(REPO / "plugins")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_worker_imports_every_stage_and_reads_the_topics_once() -> None:
    done = _import_all(REPO / "config" / "topics")
    assert done.returncode == 0, done.stderr
    assert f"read ahead: ['{REPO / 'config' / 'topics'}']" in done.stdout  # for every forked task


def test_broken_topics_leave_the_worker_starting(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("threshold: [\n", encoding="utf-8")
    done = _import_all(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "topics not read ahead at worker start" in done.stdout + done.stderr  # Airflow logs to stdout
    assert "read ahead: []" in done.stdout
