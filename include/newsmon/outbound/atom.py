"""The Atom feed (RFC 4287) of a topic's flagged stories, built with lxml so every stored string is escaped
and characters XML cannot carry are dropped (stored text comes from strangers' pages).

Each entry: the story's title, a link to its News Monitor page, the original (site, time, link, only
where `newsmon.http.links` allows one), the number of copies, the score with its threshold, and the
evidence sentences with the matched terms marked. Entry ids are stable per (story, topic), so a feed
reader shows each story once however often it polls.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlencode

from lxml import etree
from lxml.html import builder as E
from lxml.html import tostring

from newsmon.extract.outcome import FetchFailure
from newsmon.http.links import link_for
from newsmon.store.outbound import FeedRow
from newsmon.topics.highlight import mark_terms

ATOM = "http://www.w3.org/2005/Atom"
MAX_EVIDENCE = 3
# Characters XML 1.0 cannot carry (C0 controls but tab/newline/return, lone surrogates, U+FFFE/FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def story_url(ui_url: str, story_id: int) -> str:
    return f"{ui_url.rstrip('/')}/stories/{story_id}"


def entry_id(ui_url: str, story_id: int, topic: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{story_url(ui_url, story_id)}#{topic}").urn


def _original_link(row: FeedRow) -> str | None:
    failure = FetchFailure.parse(row.fetch_reason)
    return link_for(row.url, failure.kind if failure else None, outcome_known=True).href


def _summary_html(row: FeedRow, ui_url: str) -> str:
    """The entry's content as HTML, built element by element (lxml escapes every text)."""
    ev = row.evidence
    threshold = ev.get("threshold")
    facts = f"Score {row.score:.2f}"
    if isinstance(threshold, int | float):
        facts += f" (threshold {threshold:.2f})"
    facts += f" · {row.copies} cop{'y' if row.copies == 1 else 'ies'}"
    parts: list[object] = [E.P(xml_text(facts))]
    original = _original_link(row)
    site = xml_text(row.site) or "unknown site"
    if original:
        parts.append(E.P("Original: ", E.A(site, href=original)))
    elif row.url:
        parts.append(E.P(f"Original: {site}, {xml_text(row.url)}"))
    items = []
    for raw in (ev.get("evidence") or ())[: MAX_EVIDENCE * 2]:
        if not isinstance(raw, dict) or not isinstance(raw.get("sentence"), str):
            continue
        if float(raw.get("weight") or 0) < 0:
            continue
        pieces = [
            E.STRONG(xml_text(text)) if hit else xml_text(text)
            for text, hit in mark_terms(raw["sentence"], [str(t) for t in raw.get("terms") or ()])
        ]
        items.append(E.LI(*pieces))
        if len(items) == MAX_EVIDENCE:
            break
    if items:
        parts += [E.P("Why it was flagged:"), E.UL(*items)]
    parts.append(E.P(E.A("Open the story in newsmon", href=story_url(ui_url, row.story_id))))
    return "".join(tostring(p, encoding="unicode") for p in parts)


def build_feed(
    *, topic: str, title: str, rows: Sequence[FeedRow], ui_url: str, self_url: str, now: datetime
) -> bytes:
    """The feed document. `self_url` is the feed's own address without its token (the token is the
    reader's secret: it is never written into the document)."""
    nsmap = {None: ATOM}
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap=nsmap)

    def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        el = etree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = xml_text(text)
        return el

    sub(feed, "id", uuid.uuid5(uuid.NAMESPACE_URL, f"{ui_url.rstrip('/')}/feeds/{topic}").urn)
    sub(feed, "title", f"newsmon: {title or topic}")
    sub(feed, "subtitle", f"Stories flagged for the topic {topic}")
    updated = max((r.updated_at for r in rows), default=now)
    sub(feed, "updated", _stamp(updated))
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(
        feed,
        "link",
        rel="alternate",
        type="text/html",
        href=f"{ui_url.rstrip('/')}/?{urlencode({'topic': topic})}",
    )
    author = sub(feed, "author")
    sub(author, "name", "newsmon")
    sub(feed, "generator", "newsmon")
    for row in rows:
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(ui_url, row.story_id, topic))
        sub(entry, "title", row.title or f"story {row.story_id}")
        sub(entry, "published", _stamp(row.flagged_at))
        sub(entry, "updated", _stamp(row.updated_at))
        sub(entry, "link", rel="alternate", type="text/html", href=story_url(ui_url, row.story_id))
        original = _original_link(row)
        if original:
            sub(entry, "link", rel="related", type="text/html", href=original)
        sub(entry, "category", term=topic)
        sub(entry, "content", _summary_html(row, ui_url), type="html")
    document: bytes = etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return document
