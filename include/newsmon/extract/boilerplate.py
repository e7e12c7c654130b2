"""Learn, per site, which text lines are furniture because they repeat across that site's pages.

No list of phrases can keep up with every aggregator's "Loading please wait..." or partner
footer, but such lines give themselves away by repetition: they come back on most pages of a site
while article sentences do not. The memory counts, per site, on how many pages each normalised
line was seen; a line seen on enough earlier pages (absolute and relative thresholds) is
boilerplate for that site. Only hashes are kept, so the memory is small and holds no article text.

Persisting: the pipeline gives the memory a ``loader`` that reads a site's counts from the database
the first time the site comes up, and after each page takes the memory's new observations
(:meth:`BoilerplateMemory.take_observations`) to add them to the database as increments, keyed by
the copy, so that parallel tasks and retries each count a page once (see ``newsmon.store.boilerplate``).
The memory also round-trips through a plain dict for single-process use.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
FORMAT_VERSION = 1
# Lines of one page counted at most: a page with thousands of lines (a listing, a data table) must not
# flood a site's memory; furniture sits at the edges, so the first and last lines are the ones counted.
MAX_LINES_PER_PAGE = 120

# A loader answers (pages observed, {line hash: pages seen on}) for a site, or None when unknown.
SiteLoader = Callable[[str], "tuple[int, Mapping[str, int]] | None"]


def site_key(url_or_host: str) -> str:
    """The key a page's lines are counted under: its host without a leading ``www.``."""
    host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host
    return (host or url_or_host).lower().removeprefix("www.")


def line_key(line: str) -> str | None:
    """Hash of a line after case, spacing and numbers are normalised (dates and counters vary)."""
    norm = _DIGITS.sub("0", _SPACES.sub(" ", line).strip().casefold())
    if len(norm) < 2:
        return None
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest()


def line_keys(lines: Iterable[str], limit: int = MAX_LINES_PER_PAGE) -> frozenset[str]:
    """The distinct line hashes of one page; past ``limit`` only those at its edges, where furniture is."""
    return edge_keys(map(line_key, lines), limit)


def edge_keys(keys: Iterable[str | None], limit: int = MAX_LINES_PER_PAGE) -> frozenset[str]:
    """The distinct ``keys`` of one page in order; past ``limit`` only those at its edges."""
    distinct = list(dict.fromkeys(k for k in keys if k))
    if len(distinct) > limit:
        distinct = distinct[: limit // 2] + distinct[-(limit - limit // 2) :]
    return frozenset(distinct)


@dataclass(frozen=True)
class Observation:
    """One page's contribution to the memory: what the pipeline persists for that page."""

    site: str
    line_hashes: frozenset[str]


@dataclass
class _Site:
    pages: int = 0
    lines: dict[str, int] = field(default_factory=dict)


class BoilerplateMemory:
    """Per-site counts of the pages on which each line was seen.

    ``min_pages``: a line must have been seen on at least this many pages of the site;
    ``min_share``: ... and on at least this share of the site's observed pages;
    ``max_lines``: per-site cap, reached by dropping lines seen only once (they are most of them);
    ``loader``: reads what is already known of a site (from the database) the first time it comes up;
    ``record``: keep each observed page for :meth:`take_observations` (for a memory that is persisted).
    """

    def __init__(
        self,
        *,
        min_pages: int = 2,
        min_share: float = 0.2,
        max_lines: int = 5000,
        loader: SiteLoader | None = None,
        record: bool = False,
    ) -> None:
        self.min_pages = min_pages
        self.min_share = min_share
        self.max_lines = max_lines
        self._loader = loader
        self._record = record
        self._sites: dict[str, _Site] = {}
        self._observations: list[Observation] = []

    def _entry(self, name: str) -> _Site | None:
        """The counts of site ``name``, asking the loader once per site when there is one."""
        entry = self._sites.get(name)
        if entry is None and self._loader is not None:
            known = self._loader(name)
            entry = self._sites[name] = _Site()  # also remembers "unknown": the loader is asked once
            if known is not None:
                entry.pages, entry.lines = int(known[0]), dict(known[1])
        return entry

    def load(self, site: str) -> None:
        """Ask the loader for ``site`` now (once per site), so that a failing loader fails here, where the
        caller can tell its failure from the page's, not in the middle of extracting a page."""
        self._entry(site)

    def observe(self, site: str, lines: Iterable[str]) -> None:
        """Record one page of ``site``; each distinct line counts once per page."""
        self._observe_keys(site, line_keys(lines))

    def repeated_then_observe(self, site: str, lines: list[str]) -> frozenset[str]:
        """The lines of this page ``site`` repeats (as :meth:`is_boilerplate` answers before this page),
        then the page is observed; each line is hashed once for both."""
        keys = [line_key(line) for line in lines]
        entry = self._entry(site_key(site))
        repeated: frozenset[str] = frozenset()
        if entry is not None:
            repeated = frozenset(
                line
                for line, key in zip(lines, keys, strict=True)
                if key is not None and self._counts_as_boilerplate(entry, entry.lines.get(key, 0))
            )
        self._observe_keys(site, edge_keys(keys))
        return repeated

    def _observe_keys(self, site: str, keys: frozenset[str]) -> None:
        name = site_key(site)
        entry = self._entry(name)
        if entry is None:
            entry = self._sites[name] = _Site()
        entry.pages += 1
        for key in keys:
            entry.lines[key] = entry.lines.get(key, 0) + 1
        if len(entry.lines) > self.max_lines:
            self._prune(entry)
        if self._record:
            self._observations.append(Observation(name, keys))

    def take_observations(self) -> list[Observation]:
        """The pages observed since the last call (and forget them): what is still to be persisted."""
        taken, self._observations = self._observations, []
        return taken

    def _prune(self, entry: _Site) -> None:
        kept = {k: c for k, c in entry.lines.items() if c > 1}
        if len(kept) > self.max_lines:  # still too many: keep the most repeated
            kept = dict(sorted(kept.items(), key=lambda kv: -kv[1])[: self.max_lines])
        entry.lines = kept

    def is_boilerplate(self, site: str, line: str) -> bool:
        """True when ``line`` repeats on enough pages of ``site`` to be furniture."""
        key = line_key(line)
        if key is None:
            return False
        entry = self._entry(site_key(site))
        if entry is None:
            return False
        return self._counts_as_boilerplate(entry, entry.lines.get(key, 0))

    def _counts_as_boilerplate(self, entry: _Site, seen: int) -> bool:
        return seen >= self.min_pages and seen >= self.min_share * entry.pages

    def pages(self, site: str) -> int:
        """How many pages of ``site`` were observed."""
        entry = self._entry(site_key(site))
        return entry.pages if entry else 0

    def merge(self, other: BoilerplateMemory) -> None:
        """Add another memory's counts (e.g. from parallel extraction tasks) into this one."""
        for name, theirs in other._sites.items():
            mine = self._sites.setdefault(name, _Site())
            mine.pages += theirs.pages
            for key, count in theirs.lines.items():
                mine.lines[key] = mine.lines.get(key, 0) + count
            if len(mine.lines) > self.max_lines:
                self._prune(mine)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for persisting."""
        return {
            "version": FORMAT_VERSION,
            "min_pages": self.min_pages,
            "min_share": self.min_share,
            "max_lines": self.max_lines,
            "sites": {name: {"pages": s.pages, "lines": dict(s.lines)} for name, s in self._sites.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> BoilerplateMemory:
        """Rebuild from :meth:`to_dict` output; an unknown version or junk starts an empty memory."""
        if not data or data.get("version") != FORMAT_VERSION:
            return cls()
        memory = cls(
            min_pages=int(data.get("min_pages", 2)),
            min_share=float(data.get("min_share", 0.2)),
            max_lines=int(data.get("max_lines", 5000)),
        )
        for name, raw in (data.get("sites") or {}).items():
            if not isinstance(raw, Mapping):
                continue
            lines = {str(k): int(v) for k, v in (raw.get("lines") or {}).items()}
            memory._sites[str(name)] = _Site(pages=int(raw.get("pages", 0)), lines=lines)
        return memory
