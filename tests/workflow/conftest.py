"""The demo archive of the workflow tests: made once per session and kind of database, copied for each test
(tests.conftest.Templates), so each test changes its own copy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import TEMPLATES
from tests.workflow.helpers import demo_archive


@pytest.fixture
def pending_archive(db_kind, demo_server, tmp_path) -> Iterator[str]:
    """The demo corpus through the real pipeline with the shipped topics and no SMTP: the alerts wait."""
    make = demo_archive(demo_server, alerted=False)
    with TEMPLATES.copy(db_kind, "demo-archive-pending", make, tmp_path) as url:
        yield url


@pytest.fixture
def alerted_archive(db_kind, demo_server, tmp_path) -> Iterator[str]:
    """The demo corpus through the real pipeline with the shipped topics, their two alerts sent."""
    make = demo_archive(demo_server, alerted=True)
    with TEMPLATES.copy(db_kind, "demo-archive-alerted", make, tmp_path) as url:
        yield url
