"""The order in which waiting entries are fetched: fair across hosts and feeds, bounded per feed.

The rule (issue #15: one feed with 20,000 items once kept every other feed's articles waiting for
hours, because the queue was read in id order under a global cap):

1. new entries before retries — a page that failed keeps its attempts, but never ahead of news;
2. within each tier, round-robin over the hosts the articles live on, and within a host round-robin
   over the sources linking to it — so consecutive fetches go to different hosts (politeness costs
   less) and every source gets its turn before any source gets a second one;
3. within a source, newest first (the store ranks them: ``PendingEntry.rank``);
4. at most ``per_feed`` entries of one source per run (applied by the store query) and ``limit`` in all.

A source is a feed or a discovery provider (``PendingEntry.source``): a provider whose searches found
hundreds of articles is one source among the feeds, so it cannot starve them, nor they it.

Pure functions of their input: the same waiting entries always give the same plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, zip_longest
from typing import Protocol, TypeVar

from newsmon.http.politeness import host_key


class Waiting(Protocol):
    """What the planner reads of a waiting entry (``newsmon.store.entries.PendingEntry`` is one): declared
    here so that planning depends on no store, not even for its types."""

    @property
    def entry_id(self) -> int: ...
    @property
    def link(self) -> str: ...
    @property
    def retry(self) -> bool: ...  # failed before, attempts left
    @property
    def rank(self) -> int: ...  # 1 = the source's first to fetch
    @property
    def source(self) -> tuple[str, int]: ...  # the feed or discovery provider: the unit of fairness


_T = TypeVar("_T")


def _round_robin(queues: Sequence[Iterable[_T]]) -> Iterator[_T]:
    """One item of each queue in turn, until all are empty (the items are never None: None is the gap)."""
    for row in zip_longest(*queues):
        yield from (item for item in row if item is not None)


def _tier(entries: Sequence[Waiting]) -> Iterator[Waiting]:
    by_host: dict[str, dict[tuple[str, int], list[Waiting]]] = defaultdict(lambda: defaultdict(list))
    for entry in sorted(entries, key=lambda e: (e.source, e.rank)):
        by_host[host_key(entry.link)][entry.source].append(entry)
    per_host = [
        list(_round_robin([sources[s] for s in sorted(sources)])) for _, sources in sorted(by_host.items())
    ]
    return _round_robin(per_host)


def fair_order(entries: Sequence[Waiting], *, limit: int) -> list[int]:
    """Entry ids in fetch order (see the module docstring), at most ``limit``."""
    fresh = [e for e in entries if not e.retry]
    retries = [e for e in entries if e.retry]
    ordered = chain(_tier(fresh), _tier(retries))
    return [e.entry_id for _, e in zip(range(limit), ordered, strict=False)]


def batches(ids: Sequence[int], size: int) -> list[list[int]]:
    """Consecutive slices of the plan: each batch holds a share of every host and feed near the front."""
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]
