from __future__ import annotations

import codecs

import pytest

from newsmon.feeds.parse import parse_feed
from newsmon.http.charset import decode_body
from tests.feeds.samples import CHINESE, CHINESE_BODY, CYRILLIC, CYRILLIC_BODY, LATIN1, rss_with

URL = "https://enc.example/feed.xml"


def titles(body: bytes, headers: dict[str, str] | None = None) -> tuple[str, str, str]:
    feed = parse_feed(body, url=URL, headers=headers)
    return feed.title or "", feed.entries[0].title, feed.entries[0].summary


def test_utf8_bom() -> None:
    body = codecs.BOM_UTF8 + rss_with(LATIN1, encoding="utf-8").encode("utf-8")
    assert titles(body)[1] == LATIN1


def test_utf16_with_bom_and_declaration() -> None:
    body = rss_with(CYRILLIC, encoding="utf-16").encode("utf-16")  # Python writes a BOM
    assert titles(body)[1] == CYRILLIC


def test_utf16le_without_bom_is_sniffed() -> None:
    body = rss_with(CHINESE, encoding="utf-16").encode("utf-16-le")
    assert titles(body)[1] == CHINESE


def test_windows_1251_declared() -> None:
    body = rss_with(CYRILLIC, CYRILLIC_BODY, encoding="windows-1251").encode("cp1251")
    assert titles(body)[1:] == (CYRILLIC, CYRILLIC_BODY.strip())


def test_iso_8859_1_declared() -> None:
    body = rss_with(LATIN1, encoding="ISO-8859-1").encode("latin-1")
    assert titles(body)[1] == LATIN1


def test_iso_8859_1_declared_with_windows_1252_quotes() -> None:
    text = "\u201cQuoted\u201d \u2013 caf\u00e9"
    body = rss_with(text, encoding="iso-8859-1").encode("cp1252")
    assert titles(body)[1] == text


def test_gb2312_declared_with_gbk_only_characters() -> None:
    text = CHINESE + "镕"  # not in GB2312, in GBK/GB18030: real "gb2312" feeds contain such characters
    body = rss_with(text, CHINESE_BODY, encoding="gb2312").encode("gb18030")
    assert titles(body)[1:] == (text, CHINESE_BODY)


def test_declared_utf8_but_windows_1251_bytes() -> None:
    body = rss_with(CYRILLIC, CYRILLIC_BODY, encoding="utf-8").encode("cp1251")
    feed = parse_feed(body, url=URL)
    assert feed.entries[0].title == CYRILLIC
    assert feed.encoding == "cp1251" and "do not decode" in (feed.encoding_note or "")


def test_declared_latin1_but_utf8_bytes() -> None:
    body = rss_with(LATIN1, encoding="iso-8859-1").encode("utf-8")
    feed = parse_feed(body, url=URL)
    assert feed.entries[0].title == LATIN1 and feed.encoding == "utf-8"


def test_http_charset_wins_over_missing_declaration() -> None:
    body = rss_with(CYRILLIC, CYRILLIC_BODY).encode("cp1251")
    assert titles(body, {"Content-Type": "text/xml; charset=windows-1251"})[1] == CYRILLIC


def test_http_charset_that_lies_is_overruled_by_the_bytes() -> None:
    body = rss_with(CYRILLIC, encoding="utf-8").encode("utf-8")
    assert titles(body, {"Content-Type": "application/rss+xml; charset=ISO-8859-1"})[1] == CYRILLIC


def test_unknown_encoding_label_falls_back() -> None:
    body = rss_with(LATIN1, encoding="x-made-up-charset").encode("utf-8")
    feed = parse_feed(body, url=URL)
    assert feed.entries[0].title == LATIN1 and "unknown" in (feed.encoding_note or "")


@pytest.mark.parametrize("declared", ["utf-16", "UTF-32"])
def test_ascii_compatible_bytes_declaring_utf16(declared: str) -> None:
    body = rss_with(LATIN1, encoding=declared).encode("utf-8")
    assert titles(body)[1] == LATIN1


def test_decode_never_raises_on_garbage() -> None:
    result = decode_body(bytes(range(256)) * 4, "text/xml; charset=no-such-charset")
    assert isinstance(result.text, str) and result.encoding
