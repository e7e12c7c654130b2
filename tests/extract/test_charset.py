"""One decoder for feeds and pages: cp1250 pages and UTF-8 pages with stray legacy bytes read right."""

from __future__ import annotations

from newsmon.extract.fetch import fetch_article
from newsmon.http.charset import DecodedBy, decode_body
from tests.extract import extract_pages as pages


def test_cp1250_page_without_any_declaration_is_detected(site, policy):
    url = site.page("/pl", pages.polish_cp1250(declare=False), content_type="text/html")
    result = fetch_article(url, policy=policy)
    assert result.status == "ok" and result.encoding == "cp1250"
    for paragraph in pages.POLISH:
        assert paragraph in result.extracted.text


def test_cp1250_page_declared_in_meta(site, policy):
    url = site.page("/pl-meta", pages.polish_cp1250(declare=True), content_type="text/html")
    result = fetch_article(url, policy=policy)
    assert result.status == "ok" and result.encoding == "cp1250"
    assert pages.POLISH[2] in result.extracted.text


def test_cp1250_detection_is_not_a_rare_latin_variant():
    decoded = decode_body(pages.polish_cp1250(declare=False))
    assert decoded.how == DecodedBy.DETECTED and decoded.encoding == "cp1250"
    assert pages.POLISH[3] in decoded.text


def test_mostly_utf8_page_keeps_its_utf8_and_reads_the_stray_bytes_as_legacy():
    decoded = decode_body(pages.mostly_utf8_with_stray_bytes(), "text/html")
    assert decoded.how == DecodedBy.MOSTLY_UTF8 and decoded.encoding == "utf-8"
    assert pages.POLISH[0] in decoded.text  # not re-read as a Latin charset: no mojibake
    assert "Grüße aus München" in decoded.text
    assert decoded.note and "stray" in decoded.note


def test_mostly_utf8_page_end_to_end(site, policy):
    url = site.page("/pl-mixed", pages.mostly_utf8_with_stray_bytes())
    result = fetch_article(url, policy=policy)
    assert result.status == "ok"
    assert pages.POLISH[1] in result.extracted.text


def test_declared_single_byte_charset_serves_the_stray_bytes():
    body = "Zażółć gęślą jaźń — ".encode() + "Stra\u00dfe".encode("cp1250") + " kończy się tutaj.".encode()
    decoded = decode_body(body, "text/html; charset=windows-1250")
    assert decoded.text == "Zażółć gęślą jaźń — Straße kończy się tutaj."


def test_feed_and_page_share_the_decoder_notes():
    decoded = decode_body("Grüße".encode(), "text/xml; charset=iso-8859-1")
    assert decoded.text == "Grüße" and decoded.note == "HTTP says iso-8859-1 but the bytes are UTF-8"
