"""Feed health and link rendering after issue #15: disabled feeds have no next poll, skipped entries are
counted, and links newsmon refused (a private address, not a web address) are text with the reason."""

from __future__ import annotations

from datetime import timedelta

import pytest

from newsmon.store.db import session_scope
from newsmon.store.models import Copy, Feed
from tests.ui.seed import NOW, seed
from tests.ui.test_app import _client


@pytest.fixture
def data(tmp_path):
    data = seed(f"sqlite:///{tmp_path / 'newsmon.db'}")
    with session_scope(data.url) as s:
        s.add(
            Feed(
                url="http://127.0.0.1:9/gone.xml",
                name="Gone Gazette",
                created_at=NOW,
                consecutive_errors=1,
                last_error_kind="gone",
                last_error="HTTP 410 Gone",
                disabled_reason="gone: HTTP 410 at 2026-11-30T08:00:00+00:00",
                next_poll_at=NOW + timedelta(hours=1),  # written by an older version: must not be shown
                entries_skipped=0,
            )
        )
        s.add(
            Feed(
                url="http://127.0.0.1:9/flood.xml",
                name="Flood Feed",
                created_at=NOW,
                consecutive_errors=0,
                last_success_at=NOW,
                next_poll_at=NOW + timedelta(minutes=15),
                entries_skipped=150,
                last_poll_items=20_000,
                last_poll_surplus=19_800,
            )
        )
        for n, (url, reason) in enumerate(
            [
                ("http://10.0.0.7/story.html", "ssrf_blocked"),
                (
                    "https://intranet.example/story.html",
                    "ssrf_blocked: intranet.example:443 resolves to 10.1.1.1",
                ),
                ("https://fine.example/story.html", "not_found"),
            ]
        ):
            s.add(
                Copy(
                    url_key=f"refused-{n}",
                    url=url,
                    title=f"Refused copy {n}",
                    story_id=data.repatriation_id,
                    fetched_at=NOW,
                    fetch_status="fallback",
                    fetch_reason=reason,
                    text_source="summary",
                    lang="en",
                )
            )
    return data


def test_feed_health_shows_disabled_feeds_without_a_next_poll_and_counts_skipped_entries(data):
    client, _ = _client(data.url)
    page = client.get("/newsmon/feeds").text
    row = page[page.index("Gone Gazette") :].split("</tr>", 1)[0]
    assert "disabled" in row and "never, until enabled" in row and "newsmon feeds enable URL" in row
    assert (NOW + timedelta(hours=1)).strftime("%H:%M UTC") not in row
    flood = page[page.index("Flood Feed") :].split("</tr>", 1)[0]
    assert "150" in flood and "last poll: 20000 items, 19800 older not kept" in flood
    api = {f["feed"]["name"]: f for f in client.get("/newsmon/api/feeds").json()}
    assert api["Gone Gazette"]["status"] == "disabled" and api["Gone Gazette"]["feed"]["next_poll_at"] is None
    assert api["Flood Feed"]["feed"]["entries_skipped"] == 150


def test_refused_links_are_text_with_the_reason(data):
    client, _ = _client(data.url)
    page = client.get(f"/newsmon/stories/{data.repatriation_id}").text
    for url in ("http://10.0.0.7/story.html", "https://intranet.example/story.html"):
        assert f'href="{url}"' not in page and f'<code class="refused-url">{url}</code>' in page
    assert "not linked: private address, refused" in page
    assert "not linked: leads to a private address, refused" in page
    assert 'href="https://fine.example/story.html"' in page  # a 404 is no reason to hide a link
