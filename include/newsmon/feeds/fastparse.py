"""A fast path for well-formed RSS 2.0 / RSS 1.0 (RDF) / Atom 1.0 documents, read with lxml (issue #18).

Why: feedparser's SAX handlers spend ~0.5 ms per item in Python; lxml parses the same document in C.
The fast path must never change what newsmon stores, so it yields the very raw values feedparser would
hand to ``parse._make_entry``: feedparser's element names (its namespace table and prefix rules), its
precedence between elements (``_ItemState`` replays its title/summary depth rules), its base-URI
resolution (its own ``_urljoin``/``make_safe_absolute_uri``), its date parser
(``feedparser.datetimes._parse_date``) and its text post-processing (strip, the utf-8-read-as-latin-1
repair, the cp1252 mapping). Or it gives up.

Giving up (``None``) is cheap and always safe: the caller parses the whole document with feedparser, so
a feed is never a mix of both parsers. It gives up on anything it does not model exactly: a DOCTYPE,
XML that is not well-formed (undefined entities included), an unknown root or RSS version, an element
inside an item that feedparser has a handler for and this module does not model, text where feedparser
would see markup (xhtml, base64 or non-text content types), namespace prefixes feedparser would remap,
and any exception. ``tests/feeds/test_fastparse.py`` and ``bench/feeds.py`` check the result against
``parse_feed(fast=False)``.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from typing import Any

ATOM = "http://www.w3.org/2005/Atom"
RSS1 = "http://purl.org/rss/1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
MEDIA = "http://search.yahoo.com/mrss/"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_ENTITY_LINK = re.compile("&([A-Za-z0-9_]+);")
_USERLAND_RSS = re.compile(r"\{[^}]*backend\.userland\.com/rss[^}]*\}rss", re.IGNORECASE)
_C1 = re.compile("[\x80-\x9f]")  # the only characters feedparser's cp1252 table maps
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html"})
# Date elements (feedparser names) and the field each one sets; the last of a field wins, as there.
_DATES = {
    "pubdate": "published",
    "published": "published",
    "issued": "published",
    "dcterms_issued": "published",
    "updated": "updated",
    "modified": "updated",
    "dc_date": "updated",
    "dcterms_modified": "updated",
    "created": "created",
    "dcterms_created": "created",
}
# Elements feedparser has handlers for that store nothing newsmon reads (links of kind enclosure,
# tags, media attributes, the item's language), provided their descendants are harmless too.
_HARMLESS = frozenset(
    {
        "category",
        "enclosure",
        "comments",
        "dc_subject",
        "dc_publisher",
        "url",
        "dc_language",
        "media_content",
        "media_thumbnail",
        "media_credit",
        "media_keywords",
        "media_rating",
        "media_restriction",
        "media_license",
        "media_player",
        "media_group",
    }
)


@dataclass(frozen=True)
class RawEntry:
    """The values feedparser would give ``parse._make_entry`` (before html_to_text and link checks)."""

    raw_id: str | None
    link: str | None
    title: str | None
    summary: str | None
    published: Any  # datetime | None, resolved by the caller's ``_entry_date`` rules
    author: str | None


@dataclass(frozen=True)
class RawFeed:
    version: str
    title: str | None
    link: str | None
    lang: str | None
    entries: tuple[RawEntry, ...]


class _GiveUp(Exception):
    """Something the fast path does not model exactly: feedparser parses the whole document."""


def parse_raw(data: bytes, url: str) -> RawFeed | None:
    """The document's raw entries as feedparser would read them, or None to use feedparser instead."""
    result = read(data, url)
    return result if isinstance(result, RawFeed) else None


def read(data: bytes, url: str) -> RawFeed | str:
    """:func:`parse_raw`, saying why the fast path gave up (the benchmark lists the reasons)."""
    if b"<!DOCTYPE" in data[:4096] or b"<!doctype" in data[:4096]:
        return "DOCTYPE"
    if data.startswith(b"<?xml") and b"1.0" not in data[: data.find(b"?>")]:
        return "XML declaration other than version 1.0"
    from lxml import etree  # imported here: keep `import newsmon` cheap

    try:
        # One parse; the only events are namespace declarations, in document order.
        events = etree.iterparse(
            io.BytesIO(data),
            events=("start-ns",),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            recover=False,
        )
        declarations = [ns for _, ns in events]
        if len(events.error_log):  # libxml2 let something pass that expat may not: feedparser decides
            return f"parser warning: {events.error_log[0]}"
        return _Reader(url, declarations).feed(events.root)
    except (_GiveUp, etree.XMLSyntaxError, ValueError, TypeError) as exc:
        return f"{type(exc).__name__}: {exc}"


class _ItemState:
    """feedparser's bookkeeping for an entry's title and summary, replayed in document order.

    Title: a title is stored unless an earlier non-empty one set ``title_depth`` at or above this depth,
    and only over one stored at the same or a deeper level; media:title never sets ``title_depth``;
    <image> and <source> reset it. Summary: a description when a summary exists and no content was seen
    turns into content (which sets ``has_content`` and keeps the summary); otherwise it is stored by
    the same depth rule; a content element fills the summary only when there is none.
    """

    def __init__(self) -> None:
        self.title_value: str | None = None
        self._title_stored_at: int | None = None
        self.title_depth = -1
        self.summary: str | None = None
        self._summary_stored_at: int | None = None
        self.has_content = False
        self.in_image = False

    def title(self, value: str, depth: int, *, media: bool = False) -> None:
        if not (-1 < self.title_depth <= depth) and (
            self._title_stored_at is None or depth <= self._title_stored_at
        ):
            self.title_value = value
            self._title_stored_at = depth
        if value and not media:
            self.title_depth = depth

    def description(self, value: str, depth: int) -> None:
        if self.summary is not None and not self.has_content:
            self.has_content = True
        elif self._summary_stored_at is None or depth <= self._summary_stored_at:
            self.summary = value
            self._summary_stored_at = depth

    def content(self, value: str) -> None:
        self.has_content = True
        if self.summary is None:
            self.summary = value


class _Reader:
    def __init__(self, url: str, declarations: list[tuple[str, str]]) -> None:
        self._declarations = declarations
        self._joined: dict[tuple[str, str], str] = {}
        from feedparser.datetimes import _parse_date
        from feedparser.html import _cp1252
        from feedparser.urls import _urljoin, make_safe_absolute_uri

        self._parse_date = _parse_date
        self._cp1252 = _cp1252
        self._urljoin = _urljoin
        self._safe = make_safe_absolute_uri
        self._url = url
        from feedparser.api import StrictFeedParser
        from feedparser.mixin import _FeedParserMixin

        self._fp_class = StrictFeedParser
        self._known = {k.lower(): v for k, v in _FeedParserMixin.namespaces.items()}
        self._prefixes = {v.lower() for v in self._known.values()}

    # -- text as feedparser's ``pop`` returns it
    def _fix(self, text: str) -> str:
        if text.isascii():  # both repairs leave ASCII unchanged; most feed text is ASCII
            return text
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            text = text.encode("iso-8859-1").decode("utf-8")
        return text.translate(self._cp1252) if _C1.search(text) else text

    def _text(self, el: Any) -> str:
        if len(el):
            raise _GiveUp(f"children in {el.tag}")
        return (el.text or "").strip()

    def _join(self, base: str, value: str) -> str:
        """feedparser's ``_urljoin``, once per distinct pair in a document (a guid often repeats the link)."""
        key = (base, value)
        joined = self._joined.get(key)
        if joined is None:
            joined = self._joined[key] = self._urljoin(base, value)
        return joined

    def _base(self, base: str, el: Any) -> str:
        if el.get("base") is not None:
            raise _GiveUp("base attribute")
        xb = el.get(XML_BASE)
        if xb:
            base = self._safe(base, xb) or base
        return base

    def _date(self, value: str | None) -> Any:
        if value is None:
            return None
        return (self._parse_date(value), value)

    def feed(self, root: Any) -> RawFeed:
        if not isinstance(root.tag, str):
            raise _GiveUp("odd root")
        from lxml import etree

        for _ in root.iter(etree.Entity):
            raise _GiveUp("entity reference")
        self._namespaces(root, self._declarations)
        if root.get("lang") is not None:
            raise _GiveUp("lang attribute on root")
        lang_attr = root.get(XML_LANG)
        base = self._safe(self._url, None) or self._url
        base = self._base(base, root)
        if root.tag == "rss" or _USERLAND_RSS.fullmatch(root.tag):
            # feedparser reads any backend.userland.com/rss* namespace as plain RSS.
            ns = root.tag[:-3]
            version = root.get("version", "")
            if not version.startswith("2."):
                raise _GiveUp("rss version")
            channels = [c for c in root if c.tag == ns + "channel"]
            if len(channels) != 1:
                raise _GiveUp("channels")
            channel = channels[0]
            items_parent = channel
            item_tag = ns + "item"
            fmt = "rss20"
            if any(c.tag == item_tag for c in root):
                raise _GiveUp("items outside the channel")
        elif root.tag == f"{{{RDF}}}RDF":
            channels = [c for c in root if c.tag == f"{{{RSS1}}}channel"]
            if len(channels) != 1:
                raise _GiveUp("rdf channels")
            channel = channels[0]
            ns = f"{{{RSS1}}}"
            items_parent = root
            item_tag = ns + "item"
            fmt = "rss10"
            if any(c.tag == item_tag for c in channel):
                raise _GiveUp("items inside the rdf channel")
        elif root.tag == f"{{{ATOM}}}feed":
            channel = root
            ns = f"{{{ATOM}}}"
            items_parent = root
            item_tag = ns + "entry"
            fmt = "atom10"
            if root.get("version") is not None:
                raise _GiveUp("atom version attribute")
        else:
            raise _GiveUp(f"root {root.tag}")
        if lang_attr and fmt != "atom10":
            raise _GiveUp("xml:lang on an rss root")
        chan_base = self._base(base, channel) if channel is not root else base
        if channel is not root and channel.get(XML_LANG) is not None:
            raise _GiveUp("xml:lang on channel")
        title, link, lang = self._feed_fields(channel, ns, chan_base, fmt, lang_attr)
        entries = []
        n_items = 0
        for child in items_parent:
            if child.tag == item_tag:
                n_items += 1
                entries.append(self._item(child, ns, chan_base, fmt))
        # Items anywhere else (nested, misplaced) are read by feedparser: give up rather than differ.
        if sum(1 for _ in root.iter(item_tag)) != n_items:
            raise _GiveUp("items elsewhere")
        return RawFeed(fmt, title, link, lang, tuple(entries))

    def _feed_fields(
        self, channel: Any, ns: str, base: str, fmt: str, lang: str | None
    ) -> tuple[str | None, str | None, str | None]:
        title: str | None = None
        link: str | None = None
        for c in channel:
            tag = c.tag
            if not isinstance(tag, str):
                continue
            if tag == ns + "title":
                value = self._fix(self._text(c))
                if title is None or not title:
                    title = value
            elif tag == ns + "link" and fmt != "atom10":
                value = self._text(c)
                if value:
                    value = self._join(self._base(base, c), value)
                value = _ENTITY_LINK.sub(r"&\g<1>", self._fix(value))
                link = value
            elif tag == ns + "link":
                rel = (c.get("rel") or "alternate").lower()
                href = c.get("href")
                if href is None or len(c):
                    raise _GiveUp("atom feed link")
                ctype = (c.get("type") or "text/html").lower()
                if rel == "alternate" and ctype in ("text/html", "application/xhtml+xml", "html"):
                    link = self._join(self._base(base, c), href)
            elif tag == f"{{{ATOM}}}link" and fmt != "atom10":
                rel = (c.get("rel") or "alternate").lower()
                if rel == "alternate" or c.get("href") is None:
                    raise _GiveUp("atom:link alternate in an rss channel")
            elif (tag == ns + "language" and fmt != "atom10") or tag == f"{{{DC}}}language":
                lang = self._fix(self._text(c))
        return title, link, lang

    def _namespaces(self, root: Any, declarations: list[tuple[str, str]]) -> None:
        """Learn the document's prefixes the way feedparser's expat reader sees them.

        feedparser names an element of a known namespace by its canonical prefix, of an unknown one by
        the first prefix the document bound to that URI (``namespaces_in_use``), else by its bare local
        name (so ``<title xmlns="urn:x">`` is a title to it), and then maps the prefix once more through
        ``namespacemap`` (given prefix -> canonical). Both tables are document-wide and grow in document
        order, so they are modelled only when order cannot matter: a prefix bound to two URIs, an unknown
        URI both default and prefixed, or a name that ``namespacemap`` would rewrite gives up.
        """
        declared = [(p, u) for p, u in declarations if p]
        bound: dict[str, str] = {}
        for prefix, uri in declared:
            if bound.setdefault(prefix, uri) != uri:
                raise _GiveUp("a prefix bound to two namespaces")
        defaults = {u for p, u in declarations if not p}
        if any(u in defaults and self._known.get(u.lower()) is None for _, u in declared):
            raise _GiveUp("an unknown namespace both default and prefixed")
        remap: dict[str, str] = {}
        in_use: set[str] = set()
        self._by_uri: dict[str, str] = {}
        for prefix, uri in declared:
            canonical = self._canonical(uri)
            if canonical is None:
                self._by_uri.setdefault(uri, prefix)
                in_use.add(self._by_uri[uri])
            else:
                in_use.add(canonical)
                if canonical != prefix:
                    remap[prefix] = canonical
        if in_use & set(remap):
            raise _GiveUp("a prefix feedparser would remap")
        self._names: dict[str, str] = {}

    def _canonical(self, uri: str) -> str | None:
        """feedparser's prefix for a namespace it knows (any backend.userland.com/rss* is plain RSS)."""
        lowered = uri.lower()
        if "backend.userland.com/rss" in lowered:
            return ""
        return self._known.get(lowered)

    def _fp_name(self, el: Any) -> str:
        """The element's name as feedparser dispatches it (``_start_<name>``)."""
        tag = el.tag
        name = self._names.get(tag)
        if name is not None:
            return name
        if tag[0] != "{":
            name = tag.lower()
        else:
            uri, local = tag[1:].split("}", 1)
            prefix = self._canonical(uri)
            if prefix is None:
                prefix = self._by_uri.get(uri, "")
            name = f"{prefix}_{local.lower()}" if prefix else local.lower()
        self._names[tag] = name
        return name

    def _handled(self, name: str) -> bool:
        return hasattr(self._fp_class, "_start_" + name) or hasattr(self._fp_class, "_end_" + name)

    def _text_type(self, el: Any, *, content: bool = False) -> None:
        """Give up unless feedparser reads this element's text as it stands (its ``map_content_type``:
        a ``text/*`` type, no base64 ``mode``; content must also be one it copies to the summary)."""
        given = el.get("type")
        if given is None and el.get("mode") is None:
            return
        mapped = (given or "text").lower()
        mapped = {"text": "text/plain", "plain": "text/plain", "html": "text/html"}.get(mapped, mapped)
        if el.get("mode") is not None or not mapped.startswith("text/"):
            raise _GiveUp("markup type or mode")
        if content and mapped not in ("text/plain", "text/html"):
            raise _GiveUp("content of a type feedparser keeps out of the summary")

    def _walk(self, el: Any, depth: int, st: _ItemState) -> None:
        """Below an item's own fields: titles and descriptions feedparser reads there (media:title,
        media:description, an item's <image>), fed to ``st`` in document order; anything else it
        reads gives up, what it ignores is skipped."""
        for sub in el:
            if not isinstance(sub.tag, str):
                continue
            name = self._fp_name(sub)
            if name in ("title", "media_title", "dc_title") and not len(sub):
                self._text_type(sub)
                st.title(self._fix(self._text(sub)), depth, media=name == "media_title")
            elif name in ("description", "media_description", "summary") and not len(sub):
                self._text_type(sub)
                st.description(self._fix(self._text(sub)), depth)
            elif name in ("link", "url", "width", "height") and st.in_image:
                if len(sub):
                    raise _GiveUp("children in an image field")
            elif name == "image" and not st.in_image:
                st.title_depth = -1
                st.in_image = True
                self._walk(sub, depth + 1, st)
                st.in_image = False
            elif name in _HARMLESS or not self._handled(name):
                self._walk(sub, depth + 1, st)
            else:
                raise _GiveUp(f"nested element {sub.tag}")

    def _item(self, item: Any, ns: str, base: str, fmt: str) -> RawEntry:
        base = self._base(base, item)
        raw_id: str | None = None
        link: str | None = None
        link_from_guid: str | None = None
        has_link = False
        st = _ItemState()
        dates: dict[str, Any] = {}
        author: str | None = None
        author_kinds: set[str] = set()
        if fmt == "rss10":
            about = item.get(f"{{{RDF}}}about")
            if about:
                raw_id = about
        for c in item:
            if not isinstance(c.tag, str):
                continue  # comments, processing instructions
            name = self._fp_name(c)
            if c.get("mode") is not None:
                raise _GiveUp("atom 0.3 mode")
            if name in ("title", "dc_title", "media_title"):
                self._text_type(c)
                st.title(self._fix(self._text(c)), 0, media=name == "media_title")
            elif name == "link":
                href = c.get("href")
                if href is None:
                    if len(c):
                        raise _GiveUp("link with children")
                    value = self._text(c)
                    if value:
                        value = self._join(self._base(base, c), value)
                    value = self._fix(value)
                    if "&" in value:
                        value = _ENTITY_LINK.sub(r"&\g<1>", value.replace("&amp;", "&"))
                    link = value
                    has_link = True
                else:
                    rel = (c.get("rel") or "alternate").lower()
                    ctype = (c.get("type") or "text/html").lower()
                    if rel == "alternate":
                        if ctype not in _HTML_TYPES:
                            raise _GiveUp("alternate link of another type")
                        link = self._join(self._base(base, c), href)
                        has_link = True
            elif name in ("guid", "id"):
                # Several ids: the last is the id, the first permalink one stands in for a missing link.
                if any(k.lower() == "ispermalink" and k != "isPermaLink" for k in c.attrib):
                    raise _GiveUp("ispermalink spelling")
                guid_is_link = c.get("isPermaLink", "true") == "true"
                value = self._text(c)
                if value and guid_is_link:
                    value = self._join(self._base(base, c), value)
                raw_id = self._fix(value)
                if guid_is_link and not has_link and link_from_guid is None:
                    link_from_guid = raw_id
            elif name in ("description", "summary", "media_description"):
                self._text_type(c)
                st.description(self._fix(self._text(c)), 0)
            elif name in ("content_encoded", "content"):
                self._text_type(c, content=True)
                if c.get("src") is not None:
                    raise _GiveUp("content by reference")
                st.content(self._fix(self._text(c)))
            elif name == "image":
                st.title_depth = -1
                st.in_image = True
                self._walk(c, 1, st)
                st.in_image = False
            elif name == "source":
                if len(c):
                    raise _GiveUp("source with children")
                st.title_depth = -1
            elif name in _DATES:
                dates[_DATES[name]] = self._date(self._fix(self._text(c)))
            elif name in ("author", "dc_creator") and not len(c):
                author_kinds.add("leaf")
                author = self._fix(self._text(c))
            elif name == "author":
                author_kinds.add("atom")
                if (c.text or "").strip() or any((a.tail or "").strip() for a in c):
                    raise _GiveUp("text beside an author's fields")
                person: dict[str, str] = {}
                for a in c:
                    if not isinstance(a.tag, str):
                        continue
                    part = self._fp_name(a)
                    if len(a):
                        raise _GiveUp("author field with children")
                    if part in ("name", "email", "uri"):
                        person[part] = (a.text or "").strip()  # pushed without text fixes
                    elif part == "title":  # a person's job title: a title one level down to feedparser
                        self._text_type(a)
                        st.title(self._fix(self._text(a)), 1)
                    elif part in _HARMLESS or self._handled(part):
                        raise _GiveUp(f"author field {a.tag}")
                if person.get("name") and person.get("email"):
                    author = f"{person['name']} ({person['email']})"
                else:
                    author = person.get("name") or person.get("email") or ""
            elif name in _HARMLESS or not self._handled(name):
                if len(c):
                    self._walk(c, 1, st)
            else:
                raise _GiveUp(f"item element {c.tag}")
        if len(author_kinds) > 1:
            raise _GiveUp("several kinds of author")
        if not has_link:
            link = link_from_guid
        return RawEntry(
            raw_id=raw_id,
            link=link,
            title=st.title_value,
            summary=st.summary,
            published=dates,
            author=author,
        )
