"""Find the line in which a syndicated copy names its original, and read site, date and URL from it.

Aggregators and partner sites end (sometimes start) a copied article with a line such as
"(Source: rt.com; December 31, 2018; http://...)" or "This article originally appeared on X".
The story stage uses that declared original to pick the original among copies, and the line itself
is not part of the article, so it is taken out of the text. Only lines near the edges of the text
are considered: a "Source:" in the middle of an article is usually a chart or quote credit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from newsmon.extract.dates import parse_date

# Labels that introduce a source in "Label: content" form, several languages.
_LABELS = (
    r"source|sources|original source|via|originally at|"
    r"источник|источники|первоисточник|оригинал(?: статьи| публикации| материала)?|"
    r"джерело|quelle|originalquelle|source originale|fuente|fonte|źródło|zrodlo|kaynak|bron|"
    r"kilde|källa|lähde|forrás|zdroj|sursa|πηγή|المصدر|出典|来源|來源|출처"
)
_LABEL_LINE = re.compile(rf"^[\s(\[]*(?:{_LABELS})\s*[:：]\s*(?P<rest>.+?)[\s)\].]*$", re.IGNORECASE)

_ARTICLE = (
    r"article|story|post|piece|report|interview|column|op-ed|essay|text|"
    r"статья|материал|публикация|artikel|beitrag|bericht|text|"
    r"artículo|articolo|artigo|nota|reportaje|reportage"
)
_PHRASES = [
    # English
    rf"(?:(?:this|the)\s+(?:{_ARTICLE})\s+)?(?:was\s+|is\s+|has\s+been\s+)?(?:originally|first)\s+"
    r"(?:published|appeared|posted|ran|printed)\s+(?:on|in|at|by|with)\s+(?P<rest>.+)",
    rf"(?:(?:this|the)\s+(?:{_ARTICLE})\s+)?(?:was\s+|is\s+|has\s+been\s+)?"
    r"(?:re-?published|reprinted|reproduced|syndicated|adapted|cross-posted)\s+"
    r"(?:here\s+)?(?:with\s+(?:kind\s+)?permission\s+)?(?:from|by|of)\s+(?P<rest>.+)",
    r"(?:read|see)\s+(?:the\s+)?original\s+(?:article|story|post)?\s*(?:on|at|in|here)?\s*[:]?\s*(?P<rest>.+)",
    # Russian, Ukrainian
    rf"(?:(?:{_ARTICLE})\s+)?(?:был[аио]?\s+)?(?:первоначально|впервые|изначально|оригинально)\s+"
    r"(?:опубликован\w*|вышл?[аио]?|появил\w*|размещ\w*)\s+(?:на|в|во|на сайте|в издании)\s+(?P<rest>.+)",
    rf"(?:(?:{_ARTICLE})\s+)?(?:опубликован\w*|вышл?[аио]?)\s+(?:первоначально|впервые|изначально)\s+"
    r"(?:на|в|во)\s+(?P<rest>.+)",
    # German
    rf"(?:(?:dieser|der|die|das)\s+(?:{_ARTICLE})\s+)?(?:ist\s+|erschien\s+|wurde\s+)?(?:zuerst|ursprünglich|"
    r"erstmals)\s+(?:erschienen\s+|veröffentlicht\s+|publiziert\s+)?(?:bei|auf|in|im|von)\s+(?P<rest>.+)",
    # French
    rf"(?:(?:cet|l')\s*(?:{_ARTICLE})\s+)?(?:a\s+été\s+|est\s+)?(?:initialement|originellement|d'abord|"
    r"originalement)\s+(?:publié|paru)e?\s+(?:sur|dans|par|chez)\s+(?P<rest>.+)",
    rf"(?:(?:cet|l')\s*(?:{_ARTICLE})\s+)?(?:a\s+été\s+)?(?:publié|paru)e?\s+(?:initialement|"
    r"originellement|d'abord)\s+(?:sur|dans|par|chez)\s+(?P<rest>.+)",
    # Spanish, Italian, Portuguese
    rf"(?:(?:este|esta|questo|este)\s+(?:{_ARTICLE})\s+)?(?:fue\s+|fu\s+|è\s+stato\s+|foi\s+)?"
    r"(?:publicad[oa]|pubblicat[oa])\s+(?:originalmente|originariamente|inicialmente|originalmente)\s+"
    r"(?:en|por|su|in|da|no|na|em|pelo|pela)\s+(?P<rest>.+)",
]
_PHRASE_LINES = [re.compile(r"^[\s(\[*_]*" + p, re.IGNORECASE) for p in _PHRASES]

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\];,]+[^\s<>\"'()\[\];,.!?]", re.IGNORECASE)
_DOMAIN = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}$", re.IGNORECASE)
# Where a site name stops and the date or other detail starts.
_SPLIT = re.compile(r"\s*(?:;|\||,\s|\s[-–—]\s|\s(?:on|at|dated|в|на|am|le|el|il|em)\s)\s*", re.IGNORECASE)
_FILLER = {"here", "this site", "the website", "website", "сайте", "здесь", "link", "hier", "ici", "aquí"}
MAX_LINE = 300
MAX_REST = 220


@dataclass(frozen=True)
class Attribution:
    """A copy's declared original, read from a line that was removed from the text."""

    site: str | None
    published: datetime | None
    url: str | None
    line: str  # the raw line that was removed


def _site_from(text: str) -> str | None:
    site = text.strip(" \t.,;:()[]«»\"'“”")
    site = re.sub(r"^(?:the\s+website\s+|the\s+site\s+|сайте\s+|сайт\s+|издании\s+)", "", site, flags=re.I)
    if not site or site.lower() in _FILLER or len(site) > 80 or len(site.split()) > 8:
        return None
    if parse_date(site) is not None and not _DOMAIN.match(site):
        return None
    return site


def _read_rest(rest: str) -> tuple[str | None, datetime | None, str | None]:
    """Split "rt.com; December 31, 2018; http://..." or "X on May 5, 2020" into its three parts."""
    url_match = _URL.search(rest)
    url = None
    if url_match:
        url = url_match.group(0)
        if url.lower().startswith("www."):
            url = "http://" + url
        rest = (rest[: url_match.start()] + " ; " + rest[url_match.end() :]).strip()
    site: str | None = None
    published: datetime | None = None
    parts: list[str] = []
    for part in _SPLIT.split(rest):
        if not part or not part.strip(" .;:,()"):
            continue
        # "Коммерсантъ 12 января 2019": a name running straight into a date
        joined = re.match(r"^(\D*?[^\W\d_]\D*?)\s+(\d.*)$", part)
        if joined and not _DOMAIN.match(part.strip()) and parse_date(joined.group(2)) is not None:
            parts.extend(joined.groups())
        else:
            parts.append(part)
    # The site is the first part that is not a date; the date may span parts ("December 31, 2018").
    for i, part in enumerate(parts):
        if site is None and not re.search(r"\d", part):
            site = _site_from(part)
            if site is not None:
                continue
        if site is None and _DOMAIN.match(part.strip(" .()")):
            site = part.strip(" .()")
            continue
        if published is None and re.search(r"\d", part):
            published = parse_date(", ".join(parts[i : i + 2])) or parse_date(part)
    if site is None and url is not None:
        host = urlsplit(url).hostname or ""
        site = host.removeprefix("www.") or None
    return site, published, url


def parse_attribution(line: str) -> Attribution | None:
    """The Attribution declared by ``line``, or None when the line is not an attribution."""
    raw = line
    line = line.strip()
    if not line or len(line) > MAX_LINE:
        return None
    line = line.lstrip("-*•–— ")
    rest = None
    for pattern in (_LABEL_LINE, *_PHRASE_LINES):
        found = pattern.match(line)
        if found:
            rest = found.group("rest")
            break
    if rest is None or len(rest) > MAX_REST:
        return None
    site, published, url = _read_rest(rest)
    if site is None and url is None:
        return None
    if url is None and published is None and site is not None and len(site.split()) > 5:
        return None  # "Source: officials who asked not to be named" is a quote credit, not an original
    return Attribution(site=site, published=published, url=url, line=raw.strip())
