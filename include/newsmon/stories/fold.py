"""The fold stage: every new copy joins the story it is a copy of, or starts a new story.

For each pending copy (oldest published first, so an original is usually folded before its copies):

1. fingerprint the text (exact hash, MinHash signature, LSH buckets of the text, of its lead and of
   its anchors: figures and transliterated names) and store them, so the near-duplicate index lives
   in the database and survives restarts;
2. collect candidates by index look-ups only: the same exact hash, the URL the copy declares as
   canonical or as its source, and copies sharing an LSH bucket (most shared buckets first);
3. verify each candidate in the copy's language on the alignment of the two texts, their figures and
   publication times (`compare`); a candidate in another language may instead be a report of the
   same event (`links.compare_across`);
4. join the matching story; when the copy matches several stories, it bridges them and they are
   merged (the oldest survives; flags, alerts and feedback follow, see `store.stories.merge_stories`);
5. re-choose the story's original: declared attribution first, then earliest publication, then the
   target of canonical links; the story's title and language follow the original.

6. link the story to the other languages' stories of the same event (`store.stories.link_stories`).

Cross-lingual *folding* is not done: across languages only figures and names are shared, which is
enough to say "the same event" (a link the analyst sees as "also reported in") but not "the same
article"; folding would put a Russian and an English text under one original and one alert.
"""

from __future__ import annotations

import logging
import math
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from newsmon.store import stories as store
from newsmon.stories.compare import Features, compare
from newsmon.stories.config import FoldConfig, load_config
from newsmon.stories.fingerprints import (
    ANCHOR_BAND_OFFSET,
    LEAD_BAND_OFFSET,
    Fingerprint,
    estimated_jaccard,
    fingerprint,
)
from newsmon.stories.links import LinkVerdict, compare_across
from newsmon.stories.urls import url_key

__all__ = ["FoldConfig", "FoldReport", "choose_original", "fold_pending", "load_config"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FoldReport:
    folded: int
    new_stories: int
    joined: int
    merges: tuple[tuple[int, int], ...]  # (from story, into story)
    links: int = 0  # new links to stories in other languages
    # The near-duplicate search's work, to watch it as the archive grows: candidates the index
    # look-ups returned (before the signature pre-filter), and texts compared on their alignment.
    # Not part of equality: two runs with the same outcome are equal however much work they took.
    candidates: int = field(default=0, compare=False)
    compared: int = field(default=0, compare=False)


def _site_key(site: str | None) -> str:
    site = (site or "").strip().lower()
    if "://" in site:
        site = url_key(site).split("://", 1)[1].split("/", 1)[0]
    return site.removeprefix("www.")


def _key_or_none(url: str | None) -> str | None:
    return url_key(url) if url and url.strip() else None


def _keys(key: str | None) -> set[str]:
    return {key} if key else set()


def choose_original(members: list[store.StoryMember]) -> store.StoryMember | None:
    """The original among a story's copies: a copy other copies declare as their source (attribution
    URL or site), else the earliest published, else the target of other copies' canonical links."""
    if not members:
        return None
    keys = {m.id: m.url_key for m in members}
    declared: set[int] = set()
    canonical_targets: set[int] = set()
    for m in members:
        a_key = _key_or_none(m.attribution_url)
        a_site = _site_key(m.attribution_site)
        c_key = _key_or_none(m.canonical_url)
        for other in members:
            if other.id == m.id:
                continue
            if (a_key and keys[other.id] == a_key) or (
                a_site and _site_key(other.site) == a_site and _site_key(m.site) != a_site
            ):
                declared.add(other.id)
            if c_key and keys[other.id] == c_key:
                canonical_targets.add(other.id)
    pool = [m for m in members if m.id in declared] or members

    def rank(m: store.StoryMember) -> tuple[bool, datetime, bool, int]:
        published = m.published.replace(tzinfo=None) if m.published else None
        return (published is None, published or datetime.min, m.id not in canonical_targets, m.id)

    return min(pool, key=rank)


def _features(row: store.CopyRow, cfg: FoldConfig) -> Features:
    return Features(
        row.text,
        row.lang,
        row.published,
        cfg.shingle_chars,
        cfg.lead_chars,
        cfg.min_sentence_words,
        fetched=row.fetched_at,
    )


@dataclass
class _Run:
    cfg: FoldConfig
    now: datetime
    features: OrderedDict[int, Features] = field(default_factory=OrderedDict)
    folded: int = 0
    new_stories: int = 0
    joined: int = 0
    merges: list[tuple[int, int]] = field(default_factory=list)
    links: int = 0
    candidates: int = 0
    compared: int = 0
    # The buckets of the batch of pending copies being folded, written at its end (`store.PendingBuckets`).
    pending: store.PendingBuckets = field(default_factory=store.PendingBuckets)

    def feats(self, row: store.CopyRow) -> Features:
        got = self.features.get(row.id)
        if got is None:
            got = _features(row, self.cfg)
            self.remember(row.id, got)
        else:
            self.features.move_to_end(row.id)
        return got

    def remember(self, copy_id: int, feats: Features) -> None:
        # Bounded, least recently used out first: the candidates of recent copies are the ones re-used
        # (dropping the whole cache at the bound made a long run recompute its hottest candidates).
        if len(self.features) > 2000:
            self.features.popitem(last=False)
        self.features[copy_id] = feats


@dataclass
class _Found:
    """What the candidates of one copy said: stories it belongs to (story id -> rule) and stories in
    other languages reporting the same event (story id -> the link's verdict)."""

    stories: dict[int, str] = field(default_factory=dict)
    links: dict[int, LinkVerdict] = field(default_factory=dict)


def _matches(
    session: Session, run: _Run, copy: store.CopyRow, fp: Fingerprint, mine: Features, day: int
) -> _Found:
    cfg = run.cfg
    result = _Found()
    found = result.stories
    # Declared links: a canonical URL naming another copy is the publisher saying "same article".
    own = {copy.url_key}
    canonical = _key_or_none(copy.canonical_url)
    canonical_ids = store.copies_with_url_keys(session, _keys(canonical) - own, copy.id)
    for row in store.load_copies(session, canonical_ids):
        if row.story_id is not None:  # load_copies reads folded copies only
            found.setdefault(row.story_id, "canonical-link")
    attributed_ids = set(
        store.copies_with_url_keys(session, _keys(_key_or_none(copy.attribution_url)) - own, copy.id)
    )
    # A copy with the same text is found here too: it shares every bucket, so it heads the hits (a
    # look-up by text hash was a statement more per copy, and what it found beyond the time window the
    # verdict refuses).
    hits = store.copies_sharing_buckets(
        session,
        fp.probes,
        copy.id,
        cfg.max_candidates,
        marked=(LEAD_BAND_OFFSET, ANCHOR_BAND_OFFSET),
        days=_window(copy, day, cfg),
        pending=run.pending,
    )
    ids = [h.copy_id for h in hits]
    shared_opening = shared_openings(hits, cfg)
    ids += sorted(attributed_ids)
    run.candidates += len(ids)
    if not ids:
        return result
    run.remember(copy.id, mine)  # a copy with candidates is likely a candidate of copies to come
    # First the candidates' stored signatures, filtered; then the rows (with their texts) of the
    # candidates left (most are dropped here) that the features cache does not hold.
    kept = [
        cand
        for cand in store.candidate_signatures(session, ids)
        if cand.id in attributed_ids or _may_match(cand, fp, mine, shared_opening, cfg)
    ]
    cached = {cand.id: run.features[cand.id] for cand in kept if cand.id in run.features}
    for copy_id in cached:
        run.features.move_to_end(copy_id)
    rows = {r.id: r for r in store.load_copies(session, [c.id for c in kept if c.id not in cached])}
    for cand in kept:
        story_id = cand.story_id
        if story_id is None or story_id in found:
            continue
        theirs = cached.get(cand.id) or run.feats(rows[cand.id])
        lang = _base_lang(cand.lang)
        if mine.base_lang and lang and lang != mine.base_lang:
            # Another language: never the same story, perhaps the same event (a link, not a fold).
            if story_id not in result.links:
                link = compare_across(mine, theirs, cfg)
                if link.linked:
                    result.links[story_id] = link
                    log.debug("copy %s links copy %s (%s)", copy.id, cand.id, link.describe())
            continue
        attributed = cand.id in attributed_ids
        run.compared += 1
        verdict = compare(mine, theirs, cfg, attributed=attributed)
        if verdict.same:
            found[story_id] = verdict.rule
            log.debug("copy %s ~ copy %s (%s)", copy.id, cand.id, verdict.describe())
    return result


def shared_openings(hits: list[store.BucketHit], cfg: FoldConfig) -> set[int]:
    """The candidates verified whatever the whole texts' signatures say: those whose openings share
    `opening_min_hits` lead buckets with the copy's (a short excerpt or an aggregator's page repeats a
    lead inside other material). One shared bucket alone is left to the signature check."""
    return {h.copy_id for h in hits if h.marked_hits >= cfg.opening_min_hits}


def _may_match(
    row: store.CandidateRow, fp: Fingerprint, mine: Features, shared_opening: set[int], cfg: FoldConfig
) -> bool:
    """Whether a candidate is worth its text: another language (a possible link), a shared opening
    (verified whatever the signatures say), or stored signatures close enough (see the thresholds)."""
    lang = _base_lang(row.lang)
    if mine.base_lang and lang and lang != mine.base_lang:
        return True
    if (
        row.id not in shared_opening
        and row.text_hash != fp.text_hash
        and row.minhash
        and fp.minhash
        and row.shingle_count
        and fp.shingle_count
    ):
        # Cheap pre-filter on stored signatures: Jaccard estimate, and the containment it implies.
        est = estimated_jaccard(row.minhash, fp.minhash)
        small = min(row.shingle_count, fp.shingle_count)
        union_share = (row.shingle_count + fp.shingle_count) / (1 + est)
        est_cont = est * union_share / small if small else 0.0
        if est < cfg.min_estimated_jaccard and est_cont < cfg.min_estimated_containment:
            return False
    return True


def _base_lang(lang: str | None) -> str:
    return lang.split("-")[0].lower() if lang else ""


def _period(copy: store.CopyRow, now: datetime, days: float) -> int:
    """The time period of a copy (weeks for anchor buckets, days for `CopyBand.day`): of its publication
    time, else of the time it is folded."""
    when = copy.published or now
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() // (days * 86400))


def _window(copy: store.CopyRow, day: int, cfg: FoldConfig) -> tuple[int, int] | None:
    """The day numbers of the copies a copy can match: those within the verifier's time gaps (folding,
    `max_gap_days`; linking, `link_max_gap_days`), a day more for the days' rounding. None for a copy
    without a date, which the verifier compares with copies of any time.

    A copy without a date is stored under the day it was folded (see `CopyBand.day`): one fetched
    when it was new is found by the copies of its time, not by those published months away from it.
    """
    if copy.published is None:
        return None
    reach = math.ceil(max(cfg.max_gap_days, cfg.link_max_gap_days)) + 1
    return (day - reach, day + reach)


def _fold_one(session: Session, run: _Run, copy: store.CopyRow) -> None:
    cfg = run.cfg
    # The texts compared on are the ones fingerprinted: despaced and segmented once. Not put in the
    # candidate cache, which would then hold every copy of the run instead of the few that turn up as
    # candidates.
    mine = _features(copy, cfg)
    day = _period(copy, run.now, 1.0)  # stored with its buckets, and the middle of its look-up window
    lead = mine.anchors.lead(cfg.lead_anchor_keys)
    lead_figures = mine.anchors.lead(cfg.lead_anchor_figures, figures_only=True)
    fp = fingerprint(
        copy.text,
        flat=mine.flat,
        lead_flat=mine.lead_flat,
        k=cfg.shingle_chars,
        num_perm=cfg.num_perm,
        n_bands=cfg.bands,
        rows=cfg.rows,
        lead_chars=cfg.lead_chars,
        lead_bands=cfg.lead_bands,
        lead_rows=cfg.lead_rows,
        anchor_keys=keys if len(keys := mine.anchors.keys) >= cfg.min_anchor_keys else frozenset(),
        period=_period(copy, run.now, cfg.anchor_period_days),
        anchor_n_bands=cfg.anchor_bands,
        anchor_rows=cfg.anchor_rows,
        probe_flats=mine.probe_flats(cfg.lead_probe_sentences),
        lead_anchors=lead if len(lead) >= cfg.min_lead_anchor_keys else (),
        lead_figures=lead_figures if len(lead_figures) >= cfg.min_lead_anchor_keys else (),
    )
    store.save_fingerprint(
        session,
        copy.id,
        fp.text_hash,
        fp.minhash,
        fp.shingle_count,
        fp.bands,
        day=day,
        replace=copy.minhash is not None or copy.text_hash is not None,
        buckets_only=True,  # the columns are written with the copy's story, below
        pending=run.pending,  # the buckets, with the rest of the batch's
    )
    columns = (fp.text_hash, fp.minhash, fp.shingle_count)
    found = _matches(session, run, copy, fp, mine, day)
    matches = found.stories
    run.folded += 1
    if not matches:
        story_id = store.create_story(session, copy, run.now, fingerprint=columns)
        run.new_stories += 1
        _link(session, run, story_id, found.links)
        return
    if len(matches) == 1:  # the usual join: nothing to order (a copy's story always exists)
        order = list(matches)
    else:
        seen = store.story_first_seen(session, matches)
        order = sorted(seen, key=lambda sid: seen[sid])
    into = order[0]
    for other in order[1:]:
        reason = f"copy {copy.id} matched both ({matches[into]} / {matches[other]})"
        store.merge_stories(session, other, into, bridging_copy_id=copy.id, reason=reason, now=run.now)
        run.merges.append((other, into))
    store.assign_copy(session, copy.id, into, run.now, fingerprint=columns)
    run.joined += 1
    original = choose_original(store.story_members(session, into))
    if original is not None:
        store.set_original(session, into, original)
    _link(session, run, into, found.links)


def _link(session: Session, run: _Run, story_id: int, links: dict[int, LinkVerdict]) -> None:
    for other, verdict in links.items():
        evidence = verdict.describe()
        if store.link_stories(session, story_id, other, score=verdict.score, evidence=evidence, now=run.now):
            run.links += 1
            log.info("story %s linked to story %s in another language (%s)", story_id, other, evidence)


def fold_pending(session: Session, *, now: datetime, config: FoldConfig | None = None) -> FoldReport:
    """Fold every copy without a story; safe to run from two workers at once, and a no-op when re-run.

    Takes the fold lock first (see `store.stories.lock_folding`), so the session should be fresh: on
    SQLite a transaction that has already read cannot wait for the write lock, only fail.
    """
    cfg = config or load_config()
    run = _Run(cfg=cfg, now=now)
    store.lock_folding(session)
    while True:
        batch = store.pending_copies(session, cfg.batch_size)
        if not batch:
            break
        for copy in batch:
            _fold_one(session, run, copy)
        run.pending.write(session)
        session.flush()
    report = FoldReport(
        run.folded, run.new_stories, run.joined, tuple(run.merges), run.links, run.candidates, run.compared
    )
    if report.folded:
        log.info(
            "folded %d copies: %d new stories, %d joined, %d merges, %d cross-language links",
            report.folded,
            report.new_stories,
            report.joined,
            len(report.merges),
            report.links,
        )
    return report
