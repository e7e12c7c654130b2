"""JSON Feed 1.0/1.1 (https://www.jsonfeed.org/version/1.1/), which feedparser does not read.

Returns plain dicts shaped like the few feedparser fields ``parse.py`` consumes, so both formats go
through one entry-building path.
"""

from __future__ import annotations

import json
from typing import Any


class NotJsonFeed(ValueError):
    """The document is not JSON, or is JSON without a JSON Feed shape."""


def _author(obj: dict[str, Any]) -> str | None:
    authors = obj.get("authors")
    if isinstance(authors, list):
        names = [a.get("name") for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)]
        if names:
            return ", ".join(names)
    author = obj.get("author")
    if isinstance(author, dict) and isinstance(author.get("name"), str):
        return author["name"]
    return None


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def load(text: str) -> dict[str, Any]:
    """Parse JSON Feed text into {"title","link","lang","version","entries":[...]} (raises NotJsonFeed)."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise NotJsonFeed(f"invalid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise NotJsonFeed("JSON document is not an object")
    version = _str(doc.get("version")) or ""
    items = doc.get("items")
    if "jsonfeed.org/version/1" not in version and not isinstance(items, list):
        raise NotJsonFeed("JSON without a jsonfeed.org version or an items list")
    entries = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
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
    return {
        "title": _str(doc.get("title")),
        "link": _str(doc.get("home_page_url")),
        "lang": _str(doc.get("language")),
        "version": version,
        "entries": entries,
    }
