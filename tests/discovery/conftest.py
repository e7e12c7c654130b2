"""Fixtures for discovery: the fake GDELT server, a discovery file pointing at it, the demo articles it
returns (one wrapped in a redirect wrapper), and settings that run the pipeline on both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from newsmon.config.settings import Settings, load_settings
from tests.discovery.fake_gdelt import FakeGdelt, fake_gdelt
from tests.http.localserver import server  # noqa: F401 - the fixture, for this package's tests

# The demo corpus' child-repatriation story: the wire's original and two syndicated copies, and the
# separate Russian story (include/newsmon/demo/expected.json).
WIRE = "/wire/2026/03/kyrgyzstan-flies-home-41-children-from-syrian-camp.html"
DAILY = "/daily/news/2026/03/12/flight-home-ends-camp-ordeal-for-41-children.html"
AGGREGATOR = "/aggregator/world/41-children-of-is-fighters-leave-syrian-camp-a7731.html"
RUSSIAN = "/novosti/obshchestvo/2026/03/04/iz-iraka-vernuli-26-detey.html"
UNRELATED = "/daily/news/2026/03/13/storm-ivo-amber-warning-for-lowmoor-coast.html"
# The searches the fake GDELT gets for the shipped topics in English and Russian: child_repatriation's
# generated query in each language and its two written ones (any language), dock_strikes' in English.
SEARCHES = 5


def wrapped(url: str) -> str:
    """The link as a search engine's click tracker lists it (stories.urls unwraps it offline)."""
    return f"https://www.google.com/url?sa=t&source=web&q={quote(url, safe='')}&usg=AOvVaw0x"


def discovery_yaml(fake: FakeGdelt, *, fmt: str = "json", **extra: object) -> str:
    options = {
        "format": fmt,
        "request_spacing": 0,
        "queries_per_run": 50,
        "languages": "[en, ru]",
        "allow_private": "true",
        **extra,
    }
    lines = ["providers:", "  - name: gdelt", "    kind: gdelt", f"    url: {fake.url}"]
    lines += [f"    {k}: {v}" for k, v in options.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def gdelt() -> Iterator[FakeGdelt]:
    with fake_gdelt() as fake:
        yield fake


@pytest.fixture
def wire_feed_file(tmp_path, demo_server) -> Path:
    """Only the wire's feed: the other copies of the story are left for discovery to find."""
    wire = next(f for f in demo_server.feeds() if f["url"].endswith("/wire/rss.xml"))
    path = tmp_path / "feeds.yaml"
    path.write_text(
        f"feeds:\n  - url: {wire['url']}\n    name: {wire['name']}\n    lang: en\n    allow_private: true\n",
        encoding="utf-8",
    )
    return path


def demo_pair(demo_server) -> str:
    return demo_server.base_url.removeprefix("http://")


def serve_story(gdelt: FakeGdelt, demo_server, *, russian: bool = True) -> None:
    """The fake GDELT lists the story's three copies in English (the aggregator's behind a click
    tracker) and, asked for Russian, the Russian story."""
    base = demo_server.base_url
    gdelt.articles["english"] = [
        gdelt.article(base + DAILY, "Flight home ends camp ordeal for 41 children"),
        gdelt.article(wrapped(base + AGGREGATOR), "41 children of IS fighters leave Syrian camp"),
        gdelt.article(base + WIRE, "Kyrgyzstan flies home 41 children from Syrian camp"),
    ]
    if russian:
        gdelt.articles["russian"] = [
            gdelt.article(base + RUSSIAN, "Из Ирака вернули 26 детей", lang="Russian", country="Russia")
        ]


@pytest.fixture
def discovery_settings(tmp_path, db_url, gdelt, demo_server, wire_feed_file) -> Settings:
    """Settings for a pipeline run on the wire's feed and the fake GDELT; the demo site's articles may be
    fetched because the operator allows its host:port (a provider's answer never opens anything)."""
    discovery_file = tmp_path / "discovery.yaml"
    discovery_file.write_text(discovery_yaml(gdelt), encoding="utf-8")
    return load_settings().with_(
        db_url=db_url,
        feeds_file=wire_feed_file,
        discovery_file=discovery_file,
        allowed_private=frozenset({demo_pair(demo_server)}),
    )
