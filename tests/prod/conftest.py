"""Fixtures of the production tests: PostgreSQL only (that is what production runs on), Redis for Celery."""

from __future__ import annotations

from collections.abc import Iterator
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


@pytest.fixture
def reference_db() -> Iterator[str]:
    """A second fresh database, for the reference result of a clean sequential run."""
    yield from _migrated_database()


@pytest.fixture(scope="module")
def celery_broker() -> Iterator[str]:
    """The Redis URL of a broker database for one Celery stack (the machine's Redis, or a throwaway one)."""
    with SERVICES.celery_broker() as url:
        yield url


def write_feeds(path: Path, server) -> Path:
    from newsmon.cli.demo import demo_feeds_yaml

    path.write_text(demo_feeds_yaml(server.base_url, server.feeds()), encoding="utf-8")
    return path
