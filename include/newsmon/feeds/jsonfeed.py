"""JSON Feed 1.0/1.1 (https://www.jsonfeed.org/version/1.1/), which feedparser does not read.

Strict where a mistake would hide a broken feed, lenient where a real feed is merely sloppy:

* not JSON, not an object, no ``https://jsonfeed.org/version/1...`` version, or ``items`` missing or
  not a list: :class:`NotJsonFeed` with a message that says which, so the poll is a feed error
  ("parse") and never a healthy poll with 0 entries;
* items that are not objects are left out and counted; a feed whose items are *all* such is an error;
* an item field of the wrong type (a title that is a number, a url that is an object) is ignored,
  and counted in ``problems`` (the poll's ``bozo_reason``).

Returns TypedDicts shaped like the few feedparser fields ``parse.py`` consumes, so both formats go
through one entry-building path.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

_VERSION_PREFIXES = ("https://jsonfeed.org/version/1", "http://jsonfeed.org/version/1")
_TEXT_FIELDS = ("id", "url", "external_url", "title", "summary", "content_text", "content_html")
_DATE_FIELDS = ("date_published", "date_modified")


class NotJsonFeed(ValueError):
    """The document is not JSON, or is JSON without a JSON Feed shape."""


class JsonFeedItem(TypedDict):
    """One item, under the names of the feedparser entry fields ``parse.py`` reads."""

    id: str | None
    link: str | None
    title: str
    summary: str
    published: str | None
    author: str | None


class JsonFeed(TypedDict):
    """The feed, under the names of the feedparser feed fields ``parse.py`` reads."""

    title: str | None
    link: str | None
    lang: str | None
    version: str
    entries: list[JsonFeedItem]
    problems: list[str]


def _author(obj: dict[str, Any]) -> str | None:
    authors = obj.get("authors")
    if isinstance(authors, list):
        names = [n for a in authors if isinstance(a, dict) and isinstance(n := a.get("name"), str)]
        if names:
            return ", ".join(names)
    author = obj.get("author")
    if isinstance(author, dict) and isinstance(name := author.get("name"), str):
        return name
    return None


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else "null"
    )


def load(text: str) -> JsonFeed:
    """Parse JSON Feed text into a :class:`JsonFeed`.

    Raises :class:`NotJsonFeed` with a message naming what is wrong.
    """
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise NotJsonFeed(f"invalid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise NotJsonFeed(f"JSON Feed must be an object, got {_kind(doc)}")
    version = doc.get("version")
    if not isinstance(version, str) or not version.startswith(_VERSION_PREFIXES):
        raise NotJsonFeed(f"JSON without a jsonfeed.org version (version is {_kind(version)})")
    if "items" not in doc:
        raise NotJsonFeed("JSON Feed has no 'items'")
    items = doc["items"]
    if not isinstance(items, list):
        raise NotJsonFeed(f"JSON Feed 'items' must be a list, got {_kind(items)}")
    problems: list[str] = []
    not_objects = sum(1 for item in items if not isinstance(item, dict))
    if items and not_objects == len(items):
        raise NotJsonFeed(f"none of the {len(items)} JSON Feed items is an object")
    if not_objects:
        problems.append(f"{not_objects} of {len(items)} items are not objects")
    wrong_types = 0
    entries: list[JsonFeedItem] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        wrong_types += sum(
            1 for f in (*_TEXT_FIELDS, *_DATE_FIELDS) if item.get(f) is not None and _str(item[f]) is None
        )
        entries.append(
            {
                "id": _str(item.get("id")),
                "link": _str(item.get("url")) or _str(item.get("external_url")),
                "title": _str(item.get("title")) or "",
                "summary": _str(item.get("summary"))
                or _str(item.get("content_text"))
                or _str(item.get("content_html"))
                or "",
                "published": _str(item.get("date_published")) or _str(item.get("date_modified")),
                "author": _author(item) or _author(doc),
            }
        )
    if wrong_types:
        problems.append(f"{wrong_types} item field(s) of the wrong type ignored")
    if doc.get("title") is not None and not isinstance(doc.get("title"), str):
        problems.append(f"the feed's title is {_kind(doc['title'])}")
    return {
        "title": _str(doc.get("title")),
        "link": _str(doc.get("home_page_url")),
        "lang": _str(doc.get("language")),
        "version": version,
        "entries": entries,
        "problems": problems,
    }
