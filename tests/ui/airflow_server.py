"""A real Airflow api-server with the News Monitor plugin, Debian's Chromium and Airflow's login form: what
the browser tests share.

The plugin is loaded from the repo's plugins/ folder exactly as in production; the login is Airflow's simple
auth manager with a fixed password; newsmon's database is a SQLite file in the server's temporary home.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO
from tests.smtp_server import free_port

USER, PASSWORD = "analyst", "correct-horse-battery"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AIRFLOW_BIN = str(Path(sys.executable).parent / "airflow")


@dataclass(frozen=True)
class AirflowHome:
    home: Path
    base: str  # http://127.0.0.1:<port>, the api-server once started
    port: int
    env: dict[str, str]

    @property
    def newsmon_db_url(self) -> str:
        return self.env["NEWSMON_DB_URL"]


def airflow_home(home: Path, **extra_env: str) -> AirflowHome:
    """An Airflow home for one api-server: its own metadata DB, the login user, newsmon's SQLite file."""
    (home / "dags").mkdir(exist_ok=True)
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({USER: PASSWORD}), encoding="utf-8")
    port = free_port()
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__API_AUTH__JWT_SECRET": "newsmon-ui-test-secret",
        "NEWSMON_DB_URL": f"sqlite:///{home / 'newsmon.db'}",
        **extra_env,
    }
    return AirflowHome(home, f"http://127.0.0.1:{port}", port, env)


class _MigratedTemplate:
    """Airflow's metadata DB, migrated once per session and copied into each api-server's home.

    `airflow db migrate` is a fresh interpreter importing Airflow and building every table: seconds of both
    cores, the same result for every home (it depends on no setting the homes differ in). So it runs once, in
    a home of its own, and each home gets a copy of the SQLite file: each server still has a private DB."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._home: AirflowHome | None = None

    def start(self) -> None:
        """Start the one migration in the background (the first caller's block runs beside it)."""
        if self._proc is not None:
            return
        self._home = airflow_home(Path(tempfile.mkdtemp(prefix="newsmon-airflow-template-")))
        atexit.register(shutil.rmtree, self._home.home, ignore_errors=True)
        log = (self._home.home / "migrate.log").open("wb")
        self._proc = subprocess.Popen(
            [AIRFLOW_BIN, "db", "migrate"], env=self._home.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()  # the child holds its own descriptor

    def copy_to(self, airflow: AirflowHome) -> None:
        """Wait for the migration (checked), then give `airflow` its own copy of the migrated DB."""
        assert self._proc is not None and self._home is not None
        self._proc.wait(timeout=180)
        log_path = self._home.home / "migrate.log"
        assert self._proc.returncode == 0, log_path.read_text(errors="replace")[-3000:]
        shutil.copyfile(self._home.home / "airflow.db", airflow.home / "airflow.db")


_TEMPLATE = _MigratedTemplate()


@contextmanager
def migrating(airflow: AirflowHome) -> Iterator[None]:
    """`airflow`'s metadata DB, migrated, once the block is over: the first time the session's one
    `airflow db migrate` runs in a subprocess beside the block (both take seconds), later a copy of it."""
    _TEMPLATE.start()
    yield
    _TEMPLATE.copy_to(airflow)


@contextmanager
def api_server(airflow: AirflowHome) -> Iterator[None]:
    """The api-server, healthy, for the duration of the block; stopped by its process group afterwards."""
    log_path = airflow.home / "api-server.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [AIRFLOW_BIN, "api-server", "-H", "127.0.0.1", "-p", str(airflow.port), "-w", "1"],
        env=airflow.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 45
        while True:
            try:
                if httpx.get(f"{airflow.base}/api/v2/monitor/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log_path.read_text(errors="replace")[-3000:])
            time.sleep(0.3)
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(
                timeout=3
            )  # nothing of value is lost if the server needs killing: its home is temporary
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def chromium_path(playwright) -> str:
    """Debian's chromium on the PATH, else Playwright's own; with neither, one line on how to get one."""
    for path in (shutil.which("chromium"), playwright.chromium.executable_path):
        if path and Path(path).is_file():
            return path
    pytest.fail(
        "no Chromium for the browser tests: `apt-get install chromium` (Debian) "
        "or `.venv/bin/playwright install chromium`",
        pytrace=False,
    )


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(p), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def log_in(browser, base: str) -> dict:
    """Log in through Airflow's login form once; returns the storage state (cookies) for new tabs."""
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{base}/")
    tab.wait_for_url("**/auth/login**")
    tab.fill("input[name=username]", USER)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{base}/")
    state = context.storage_state()
    context.close()
    return state


@contextmanager
def airflow_tab(browser, base: str, storage_state: dict, height: int = 1500):
    """A logged-in Airflow tab on the home page that records every JavaScript dialog (none may open)."""
    context = browser.new_context(viewport={"width": 1400, "height": height}, storage_state=storage_state)
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.goto(f"{base}/")
    tab.get_by_role("button", name="Browse").wait_for()
    try:
        yield tab
    finally:
        context.close()


def open_news_monitor(tab):
    """Browse → News Monitor in Airflow's navigation: the page opens embedded, under Airflow's own URL."""
    tab.get_by_role("button", name="Browse").click()
    tab.get_by_role("menuitem", name="News Monitor").click()
    frame = tab.frame_locator("iframe[title='News Monitor']")
    frame.locator("h1", has_text="Flagged stories").wait_for()
    assert "/plugin/newsmon" in tab.url, tab.url  # embedded in Airflow, not the bare page
    return frame
