"""Shared fixtures: the shipped topics, loaded once per test session (loading validates the schema)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.topics.model import Topic, load_topic

REPO = Path(__file__).resolve().parents[2]
TOPICS_DIR = REPO / "config" / "topics"


@pytest.fixture(scope="session")
def child_topic() -> Topic:
    return load_topic(TOPICS_DIR / "child_repatriation.yaml")


@pytest.fixture(scope="session")
def topics_dir() -> Path:
    return TOPICS_DIR
