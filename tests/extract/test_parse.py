"""parse_page gives load_html's tree: on the markup its repairs are for, and on plain pages."""

from __future__ import annotations

import pytest
from lxml import etree
from trafilatura.utils import load_html

from newsmon.extract.parse import parse_page
from tests.extract import extract_pages as pages

BODY = "<body><h1>Ferry fares rise</h1><p>The operator blames fuel costs – and winter.</p></body>"
CASES = {
    "plain": f"<!DOCTYPE html>\n<html lang='en'><head><title>Fares</title></head>{BODY}</html>",
    "xhtml_doctype": (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        f'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html>{BODY}</html>'
    ),
    "doctype_no_newline": f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x.dtd"><html>{BODY}</html>',
    "control_characters": f"<!DOCTYPE html>\n<html><body><p>Tide\x0c tables\x01 for\x1f May</p>{BODY}</html>",
    "non_characters": f"<html><body><p>Price list \ufffe and \uffff marks</p>{BODY}</body></html>",
    "self_closing_html": f"<!DOCTYPE html>\n<html lang='en'/>\n{BODY}",
    "xml_declaration": f"<?xml version='1.0' encoding='iso-8859-1'?>\n<html>{BODY}</html>",
    "declared_charset": f"<html><head><meta charset='windows-1251'></head><p>Паром</p>{BODY}</html>",
    "crlf_lines": f'<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN" "x/y.dtd">\r\n<html>{BODY}</html>',
    "fragment": "<p>Only a paragraph, no document around it.</p>",
    "not_html": "Plain words with no markup at all.",
    "lone_surrogate": f"<html><body><p>broken \ud800 escape</p>{BODY}</body></html>",
    "article_fixture": pages.plain_article("Bakery prize", pages.SHORT_ARTICLE).decode(),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_parse_page_gives_load_htmls_tree(name: str) -> None:
    expected = load_html(CASES[name])
    got = parse_page(CASES[name])
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert etree.tostring(got, encoding="unicode") == etree.tostring(expected, encoding="unicode")


def test_repairs_are_applied() -> None:
    tree = parse_page(CASES["control_characters"])
    assert tree is not None
    assert "Tide tables for May" in tree.text_content()
    assert parse_page(CASES["not_html"]) is None
