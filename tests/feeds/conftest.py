from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.http.localserver import LocalServer, running


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with running() as srv:
        yield srv
