"""The same-story decision for two copies, from their texts, names, languages and publication times.

Candidates come from the LSH buckets; this module decides on the exact shingle sets, which are cheap to
rebuild from the texts of the few candidates. Each accepted pair carries the rule that accepted it, so
a merge in the log says *why* two copies were judged one story.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from functools import cached_property

from newsmon.stories.config import FoldConfig
from newsmon.stories.fingerprints import despace, entity_sequence, shingles


@dataclass
class Features:
    """A copy's comparable features, computed lazily once per fold run."""

    text: str
    lang: str | None
    published: datetime | None
    k: int
    lead_chars: int

    @cached_property
    def flat(self) -> str:
        return despace(self.text)

    @cached_property
    def shingles(self) -> set[int]:
        return shingles(self.flat, self.k)

    @cached_property
    def lead(self) -> set[int]:
        return shingles(self.flat[: self.lead_chars], self.k)

    @cached_property
    def entity_seq(self) -> tuple[str, ...]:
        return entity_sequence(self.text)

    @cached_property
    def entities(self) -> frozenset[str]:
        return frozenset(self.entity_seq)


@dataclass(frozen=True)
class Verdict:
    same: bool
    rule: str  # which rule decided, e.g. "near-identical", or why not, e.g. "time-gap"
    jaccard: float = 0.0
    containment: float = 0.0


def new_names(a: Features, b: Features, min_entities: int) -> float:
    """The smaller of the two sides' share of names absent from the other's text (0 = nothing new).

    Absence is tested against the other's despaced text, not its name list, so a name split or glued by
    a mirror ("Dagest an", "Russiancitizens") still counts as present.
    """

    def share(x: Features, y: Features) -> float:
        if len(x.entities) < min_entities:
            return 0.0
        return sum(1 for e in x.entities if e not in y.flat) / len(x.entities)

    return min(share(a, b), share(b, a))


def name_order(a: Features, b: Features) -> float:
    """How alike the sequences of names are (difflib ratio): spun copies keep the order, own words don't."""
    return SequenceMatcher(None, a.entity_seq, b.entity_seq, autojunk=False).ratio()


def _gap_days(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return abs((a - b).total_seconds()) / 86400.0


def compare(a: Features, b: Features, cfg: FoldConfig, *, attributed: bool = False) -> Verdict:
    """Are `a` and `b` copies of one story? `attributed`: one declares the other as its source."""
    gap = _gap_days(a.published, b.published)
    if gap is not None and gap > cfg.max_gap_days:
        return Verdict(False, "time-gap")
    lang_a, lang_b = (x.split("-")[0].lower() if x else "" for x in (a.lang, b.lang))
    if cfg.same_lang_only and lang_a and lang_b and lang_a != lang_b:
        return Verdict(False, "language")
    if a.flat and a.flat == b.flat:
        return Verdict(True, "exact", 1.0, 1.0)
    sa, sb = a.shingles, b.shingles
    if not sa or not sb:
        return Verdict(False, "empty")
    inter = len(sa & sb)
    jac = inter / (len(sa) + len(sb) - inter)
    small, large = (a, b) if len(sa) <= len(sb) else (b, a)
    cont = inter / len(small.shingles)
    if attributed and (jac >= cfg.attributed_jaccard or cont >= cfg.contained):
        return Verdict(True, "attributed", jac, cont)
    if jac < cfg.near_jaccard and jac < cfg.reworded_jaccard and cont < cfg.contained:
        # No rule below can accept: skip the names check, most of the cost of a rejected candidate.
        return Verdict(False, "different", jac, cont)
    new = new_names(a, b, cfg.min_entities)
    if jac >= cfg.near_jaccard and new <= cfg.near_new_names:
        return Verdict(True, "near-identical", jac, cont)
    if (
        cont >= cfg.contained
        and len(small.shingles) >= cfg.min_contained_shingles
        and new <= cfg.contained_new_names
        and small.lead
        and len(small.lead & large.shingles) / len(small.lead) >= cfg.lead_overlap
    ):
        return Verdict(True, "contained", jac, cont)
    if jac >= cfg.reworded_jaccard and new <= cfg.reworded_new_names:
        if min(len(a.entity_seq), len(b.entity_seq)) >= cfg.reworded_min_names:
            if name_order(a, b) >= cfg.reworded_name_order:
                return Verdict(True, "reworded", jac, cont)
        elif jac >= cfg.reworded_few_names_jaccard:
            return Verdict(True, "reworded", jac, cont)
    return Verdict(False, "different", jac, cont)
