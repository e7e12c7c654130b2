"""A page's title, author, date, site name and description, by trafilatura's own routines.

``trafilatura.metadata.extract_metadata`` also hunts categories, tags and licences, which newsmon does
not store and which cost about a third of its time; the steps below are its own, in its order, except
one: when neither the meta tags nor JSON-LD name an author, trafilatura's byline search (a dozen
regular-expression XPaths over a copy of the whole page) is the most expensive step of all. It runs
here on the article's region only: the element holding the most paragraph text, widened to the
nearest ancestor that also holds the headline, where bylines sit.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from htmldate import find_date
from trafilatura.metadata import (
    Document,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
)

from newsmon.extract.containers import article_region

log = logging.getLogger(__name__)


def _date_params() -> dict[str, Any]:
    return {
        "original_date": True,
        "extensive_search": False,
        "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        "max_date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


def read_metadata(tree: Any, url: str, main_block: Any | None = None) -> Document | None:
    """trafilatura's metadata of ``tree``; ``main_block`` is the element with the most paragraph text."""
    try:
        meta = examine_meta(tree)
        if meta.author and " " not in meta.author:
            meta.author = None  # single tokens are mostly handles or site names
        try:
            meta = extract_meta_json(tree, meta)
        except Exception as exc:  # broken JSON-LD is common; the meta tags still count
            log.debug("JSON-LD metadata failed on %s: %s", url, exc)
        meta.title = meta.title or extract_title(tree)
        if not meta.author:
            region = article_region(main_block)
            meta.author = extract_author(region) if region is not None else None
        meta.date = find_date(tree, url=url, **_date_params())
        meta.sitename = meta.sitename or extract_sitename(tree)
        if meta.sitename:
            meta.sitename = meta.sitename.lstrip("@")
        meta.clean_and_trim()
        return meta
    except Exception as exc:  # metadata is optional, the text is not
        log.warning("metadata extraction failed on %s: %s", url, exc)
        return None
