from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsmon.feeds.parse import FeedParseError, parse_feed
from tests.feeds import samples

NOW = datetime(2026, 3, 5, tzinfo=UTC)
URL = "https://gazette.example/feeds/main.xml"


def parse(text: str | bytes, url: str = URL, **kw):
    body = text.encode("utf-8") if isinstance(text, str) else text
    return parse_feed(body, url=url, now=NOW, **kw)


def test_rss20_fields_are_plain_text_with_absolute_links_and_utc_dates() -> None:
    feed = parse(samples.RSS20)
    assert (feed.format, feed.title, feed.link, feed.lang) == (
        "rss20",
        "Harbour Gazette",
        "https://gazette.example/",
        "en-gb",
    )
    first, second, third = feed.entries
    assert first.key == "gazette-0001"
    assert first.link == "https://gazette.example/news/ferry-timetable"
    assert first.title == "Ferry timetable & fares change today"
    assert first.summary == "The morning ferry now leaves at 7:10."
    assert "<" not in first.summary and "alert" not in first.summary
    assert first.published == datetime(2026, 3, 3, 8, 30, tzinfo=UTC)
    assert first.author and "Port Desk" in first.author
    assert second.key == "https://gazette.example/news/lighthouse"  # no guid: the link
    assert third.key.startswith("sha256:") and third.link is None and third.published is None
    assert feed.bozo_reason is None


def test_hash_key_is_stable_across_polls() -> None:
    assert parse(samples.RSS20).entries[2].key == parse(samples.RSS20).entries[2].key


def test_rss091_rdf_atom() -> None:
    old = parse(samples.RSS091)
    assert old.format.startswith("rss09") and old.entries[0].link == "http://old.example/1"
    rdf = parse(samples.RDF)
    assert rdf.format == "rdf" and rdf.entries[0].title == "River level falls"
    assert rdf.entries[0].published == datetime(2026, 2, 10, 6, 0, tzinfo=UTC)
    atom = parse(samples.ATOM)
    assert atom.format == "atom10" and atom.lang == "de"
    entry = atom.entries[0]
    assert entry.title == "Schnee am Pass" and entry.summary == "Zwanzig Zentimeter."
    assert entry.link == "https://atom.example/blog/posts/schnee"  # xml:base
    assert entry.key == "urn:uuid:5e3c1d0a-entry-4000-8000-000000000002" and entry.author == "Anna Berg"


def test_json_feed_11_and_10() -> None:
    feed = parse(
        samples.JSON_FEED,
        url="https://orchard.example/feed.json",
        headers={"Content-Type": "application/feed+json"},
    )
    assert (feed.format, feed.title, feed.lang) == ("json1", "Orchard Weekly", "en")
    first, second = feed.entries
    assert first.key == "apple-42" and first.link == "https://orchard.example/weekly/42"
    assert first.title == "Apples early this year" and first.summary == "Harvest starts in August."
    assert first.published == datetime(2026, 2, 1, 17, 0, tzinfo=UTC) and first.author == "Orchard Team"
    assert second.key == "43" and second.link == "https://elsewhere.example/pears" and second.author == "Pat"
    old = parse(samples.JSON_FEED_10)
    assert old.format == "json1" and old.entries[0].summary == "S"


def test_broken_json_is_a_parse_error() -> None:
    with pytest.raises(FeedParseError) as err:
        parse(
            '{"version": "https://jsonfeed.org/version/1.1", "items": [',
            headers={"content-type": "application/json"},
        )
    assert err.value.kind == "parse"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thu, 01 Jan 1970 00:00:00 GMT", None),  # placeholder
        ("Sat, 31 Dec 1994 23:00:00 GMT", None),
        ("Thu, 05 Mar 2026 20:00:00 GMT", datetime(2026, 3, 5, 20, tzinfo=UTC)),  # within a day of NOW
        ("Sun, 08 Mar 2026 12:00:00 GMT", None),  # future
        ("2026-03-01T10:00:00+05:30", datetime(2026, 3, 1, 4, 30, tzinfo=UTC)),
        ("yesterday-ish", None),
    ],
)
def test_dates_are_utc_and_sane(raw: str, expected: datetime | None) -> None:
    text = samples.RSS20.replace("Tue, 03 Mar 2026 09:30:00 +0100", raw)
    assert parse(text).entries[0].published == expected


def test_relative_link_resolved_against_the_final_feed_url() -> None:
    text = samples.RSS091.replace("http://old.example/1", "../story/9")
    assert (
        parse(text, url="https://cdn.example/feeds/x/rss.xml").entries[0].link
        == "https://cdn.example/feeds/story/9"
    )


def test_javascript_links_are_dropped() -> None:
    text = samples.RSS091.replace("http://old.example/1", "javascript:alert(1)")
    entry = parse(text).entries[0]
    assert entry.link is None and not entry.key.startswith("javascript")


def test_malformed_feed_keeps_entries_with_the_reason() -> None:
    broken = samples.RSS20.replace(
        "<title>Lighthouse repainted</title>", "<title>Lighthouse & repainted</title>"
    )
    broken = broken.replace("</channel>", "")
    feed = parse(broken)
    assert len(feed.entries) == 3
    assert feed.bozo_reason and "SAXParseException" in feed.bozo_reason
    assert feed.entries[1].title == "Lighthouse & repainted"


def test_nothing_usable_raises_parse_error() -> None:
    with pytest.raises(FeedParseError) as err:
        parse("<rss><channel><<<<not xml at all")
    assert err.value.kind == "parse"
    with pytest.raises(FeedParseError) as err:
        parse(b"")
    assert err.value.kind == "parse"


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(FeedParseError) as err:
        parse("<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome</p></body></html>")
    assert err.value.kind == "not_a_feed"


def test_valid_feed_with_no_entries_is_not_an_error() -> None:
    feed = parse('<rss version="2.0"><channel><title>Quiet</title></channel></rss>')
    assert feed.entries == () and feed.title == "Quiet"


def test_billion_laughs_does_not_expand() -> None:
    feed = parse(samples.BILLION_LAUGHS)  # bounded output is the proof: an expansion would be gigabytes
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert len(entry.title) < 100 and len(entry.summary) < 100
    assert feed.bozo_reason and "entity" in feed.bozo_reason


def test_quadratic_blowup_is_bounded() -> None:
    value = "A" * 50_000
    text = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{value}">]>'
        f'<rss version="2.0"><channel><title>q</title><item><title>t</title><guid>q1</guid>'
        f"<description>{'&a;' * 20_000}</description></item></channel></rss>"
    )
    feed = parse(text)
    assert len(feed.entries[0].summary) <= 64 * 1024


def test_small_literal_entity_still_expands() -> None:
    text = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY org "Harbour Trust">]>'
        '<rss version="2.0"><channel><title>&org; news</title><item><title>By &org;</title><guid>e1</guid>'
        "</item></channel></rss>"
    )
    feed = parse(text)
    assert feed.title == "Harbour Trust news" and feed.entries[0].title == "By Harbour Trust"


def test_external_entities_never_read_local_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    for decl in (f'<!ENTITY x SYSTEM "file://{secret}">', f'<!ENTITY % p SYSTEM "file://{secret}"> %p;'):
        text = (
            f'<?xml version="1.0"?><!DOCTYPE rss [{decl}]>'
            '<rss version="2.0"><channel><title>x</title><item><title>a&x;b</title><guid>x1</guid>'
            "</item></channel></rss>"
        )
        feed = parse(text)
        assert all("TOP-SECRET" not in (e.title + e.summary) for e in feed.entries)


def test_a_body_that_is_a_file_path_is_not_opened(tmp_path: Path) -> None:
    """feedparser opens str/bytes that name a file; the body must only ever be parsed as a document."""
    local = tmp_path / "local-feed.xml"
    local.write_text(samples.RSS20)
    with pytest.raises(FeedParseError):
        parse(str(local).encode())


def test_gzip_body_without_content_encoding() -> None:
    feed = parse(gzip.compress(samples.RSS20.encode()))
    assert len(feed.entries) == 3


def test_script_in_titles_is_removed_and_text_kept() -> None:
    text = samples.RSS091.replace(
        "First post", "&lt;script&gt;steal()&lt;/script&gt;Real &lt;b&gt;title&lt;/b&gt;"
    )
    assert parse(text).entries[0].title == "Real title"


JSON_HEAD = '"version": "https://jsonfeed.org/version/1.1", "title": "Scraps"'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "{" + JSON_HEAD + ', "items": {"id": "1", "url": "https://s.example/1"}}',
            "'items' must be a list, got an object",
        ),
        ("{" + JSON_HEAD + ', "items": "none today"}', "'items' must be a list, got a string"),
        ("{" + JSON_HEAD + "}", "has no 'items'"),
        ('{"title": "no version", "items": []}', "without a jsonfeed.org version"),
        ('{"version": "2.0", "items": []}', "without a jsonfeed.org version"),
        ("[1, 2, 3]", "must be an object, got a list"),
        ("{" + JSON_HEAD + ', "items": [1, "two", null]}', "none of the 3 JSON Feed items is an object"),
    ],
)
def test_malformed_json_feed_is_a_parse_error_that_says_why(body: str, message: str) -> None:
    with pytest.raises(FeedParseError) as err:
        parse(body, headers={"content-type": "application/feed+json"})
    assert err.value.kind == "parse" and message in err.value.message


def test_sloppy_json_feed_items_are_kept_with_the_problems_noted() -> None:
    body = (
        "{" + JSON_HEAD + ', "items": ['
        '{"id": "a", "url": "https://s.example/a", "title": {"text": "nested"}},'
        '"stray string",'
        '{"id": "b", "url": "https://s.example/b", "title": "Plain"}]}'
    )
    feed = parse(body, headers={"content-type": "application/feed+json"})
    assert [(e.key, e.title) for e in feed.entries] == [("a", ""), ("b", "Plain")]
    assert feed.bozo_reason == "1 of 3 items are not objects; 1 item field(s) of the wrong type ignored"


def test_json_feed_with_an_empty_items_list_is_a_healthy_empty_feed() -> None:
    feed = parse("{" + JSON_HEAD + ', "items": []}', headers={"content-type": "application/json"})
    assert feed.entries == () and feed.bozo_reason is None
