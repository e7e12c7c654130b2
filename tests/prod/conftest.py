"""Fixtures of the production tests: PostgreSQL only (that is what production runs on), Redis for Celery."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SERVICES, create_pg_database, drop_pg_database


def _migrated_database() -> Iterator[str]:
    from newsmon.store.db import upgrade

    url = create_pg_database()
    try:
        upgrade(url)
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated newsmon database on PostgreSQL."""
    yield from _migrated_database()


@dataclass(frozen=True)
class Reference:
    """Counts after clean, sequential runs in one process: what a faulty or concurrent run must equal."""

    one: dict[str, int]  # after one run over a demo server's feeds
    both: dict[str, int]  # then a run over a second demo server's (the same corpus at new URLs)


@pytest.fixture(scope="session")
def reference(tmp_path_factory) -> Reference:
    """The reference result, computed once per session: it depends only on the demo corpus (not on which
    server instance serves it), and three modules compare against it."""
    from newsmon.demo.server import DemoServer
    from tests.prod.helpers import reference_counts

    home = tmp_path_factory.mktemp("reference")
    with DemoServer(port=0) as first, DemoServer(port=0) as second:
        first_feeds = write_feeds(home / "first.yaml", first)
        second_feeds = write_feeds(home / "second.yaml", second)
        for url in _migrated_database():
            one = reference_counts(url, [first_feeds])
            both = reference_counts(url, [second_feeds])
    return Reference(one, both)


@pytest.fixture(scope="module")
def celery_broker() -> Iterator[str]:
    """The Redis URL of a broker database for one Celery stack (the machine's Redis, or a throwaway one)."""
    with SERVICES.celery_broker() as url:
        yield url


def write_feeds(path: Path, server) -> Path:
    from newsmon.cli.demo import demo_feeds_yaml

    path.write_text(demo_feeds_yaml(server.base_url, server.feeds()), encoding="utf-8")
    return path
