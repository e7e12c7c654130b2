"""Read models for the News Monitor page (and the one write it makes: an analyst's feedback).

The UI never sees ORM objects: each function returns frozen dataclasses of plain values, so templates
and the JSON API cannot trigger lazy loads (N+1 queries) and the page's cost is the handful of
statements written here. Every filter is a bound parameter of a SQLAlchemy expression; nothing is
built from strings. The list is one page query + one count + two small look-ups keyed by the page's
story ids, which is what keeps it fast on 100k stories (see bench/ui.py for the figures and indexes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, Select, SQLColumnExpression, and_, exists, func, null, select
from sqlalchemy.orm import Session

from newsmon.store.alerts import AlertRow
from newsmon.store.feedback import FeedbackView
from newsmon.store.models import (
    Alert,
    Copy,
    DiscoveryFind,
    DiscoveryProvider,
    DiscoveryQuery,
    Entry,
    Feed,
    Feedback,
    Flag,
    Story,
)
from newsmon.store.stories import LinkedStory, linked_stories
from newsmon.store.surges import SurgeView, surged_pairs, surges_of
from newsmon.store.upsert import upsert

SortKey = Literal["first_seen", "score", "copies", "flagged", "title"]
FeedbackState = Literal["any", "none", "relevant", "not_relevant"]
Scope = Literal["flagged", "all"]
MAX_PER_PAGE = 200
MAX_COPIES_SHOWN = 500


# ---------------------------------------------------------------------------------------------- list


@dataclass(frozen=True)
class StoryFilter:
    """What the analyst asked for; validated by the web layer before it gets here.

    scope "flagged" lists one row per (story, topic) flag; "all" also lists every story no topic flagged
    (one row, without topic or score), because an analyst checking what the monitor saw needs those too.
    """

    scope: Scope = "flagged"
    topic: str | None = None
    date_from: date | None = None  # on the story's first_seen_at, inclusive, UTC days
    date_to: date | None = None  # inclusive
    lang: str | None = None  # stories with at least one copy in this language
    feedback: FeedbackState = "any"
    min_score: float | None = None
    q: str | None = None  # words that must all appear in the story's title
    sort: SortKey = "first_seen"
    descending: bool = True
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class FeedbackSummary:
    relevant: int = 0
    not_relevant: int = 0
    mine: bool | None = None  # the current user's verdict, if any

    @property
    def state(self) -> str:
        """One word for a badge: what the analysts said overall."""
        if self.relevant and self.not_relevant:
            return "mixed"
        if self.relevant:
            return "relevant"
        if self.not_relevant:
            return "not_relevant"
        return "none"


@dataclass(frozen=True)
class StoryRow:
    story_id: int
    topic: str | None  # None: a story no topic flagged (scope "all")
    score: float | None
    threshold: float | None  # the topic's threshold when the story was scored: what the score means
    title: str
    site: str | None
    first_seen_at: datetime
    flagged_at: datetime | None
    copies_count: int
    langs: tuple[str, ...]
    feedback: FeedbackSummary
    surge: bool = False  # the story surged for this topic (newsmon.alerts.surge): the list's badge


@dataclass(frozen=True)
class StoryPage:
    rows: tuple[StoryRow, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


AnySelect = Select[*tuple[Any, ...]]
AnyRow = Row[*tuple[Any, ...]]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _like_escape(word: str) -> str:
    """The user's text is matched literally: % and _ are data, not wildcards."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(stmt: AnySelect, flt: StoryFilter) -> AnySelect:
    conditions: list[ColumnElement[bool]] = [Story.merged_into_id.is_(None)]
    if flt.topic:
        conditions.append(Flag.topic == flt.topic)
    if flt.min_score is not None:
        conditions.append(Flag.score >= flt.min_score)
    if flt.date_from:
        conditions.append(Story.first_seen_at >= _day_start(flt.date_from))
    if flt.date_to:
        conditions.append(Story.first_seen_at < _day_start(flt.date_to + timedelta(days=1)))
    if flt.lang:
        conditions.append(exists().where(Copy.story_id == Story.id, Copy.lang == flt.lang))
    if flt.q:
        for word in flt.q.split()[:8]:
            conditions.append(Story.title.ilike(f"%{_like_escape(word)}%", escape="\\"))
    if flt.feedback != "any":
        said = exists().where(Feedback.story_id == Flag.story_id, Feedback.topic == Flag.topic)
        if flt.feedback == "none":
            conditions.append(~said)
        else:
            conditions.append(said.where(Feedback.relevant.is_(flt.feedback == "relevant")))
    return stmt.where(and_(*conditions))


# Each sort ends in a unique key so pages never overlap; the keys follow the indexes (ix_stories_*,
# ix_flags_*) so PostgreSQL can walk an index and stop after one page instead of sorting every flagged story.
_SORT_KEYS = {
    "first_seen": (Story.first_seen_at, Story.id, Flag.id),
    "score": (Flag.score, Flag.id),
    "copies": (Story.copies_count, Story.id, Flag.id),
    "flagged": (Flag.flagged_at, Flag.id),
    "title": (Story.title, Story.id, Flag.id),
}


def _order(flt: StoryFilter) -> list[SQLColumnExpression[Any]]:
    keys = _SORT_KEYS[flt.sort]
    order: list[SQLColumnExpression[Any]] = [k.desc() if flt.descending else k.asc() for k in keys]
    if flt.scope == "all":
        # Unflagged stories have no score or flag time: they go last either way, on both dialects
        # (PostgreSQL and SQLite disagree on where NULLs sort by default).
        order = [o.nulls_last() if k.class_ is Flag else o for k, o in zip(keys, order, strict=True)]
        order.append(Story.id)  # unflagged rows tie on every flag column: the story id keeps pages apart
    return order


_STORY_COLUMNS = (Story.title, Story.first_seen_at, Story.copies_count, Story.original_copy_id)


def _rows_select(scope: Scope) -> AnySelect:
    columns = (
        Story.id.label("story_id"),
        Flag.topic,
        Flag.score,
        Flag.flagged_at,
        Flag.evidence["threshold"].as_float().label("threshold"),
        *_STORY_COLUMNS,
    )
    if scope == "all":
        return select(*columns).select_from(Story).outerjoin(Flag, Flag.story_id == Story.id)
    return select(*columns).select_from(Flag).join(Story, Story.id == Flag.story_id)


def _count_select(scope: Scope) -> AnySelect:
    if scope == "all":
        return select(func.count()).select_from(Story).outerjoin(Flag, Flag.story_id == Story.id)
    return select(func.count()).select_from(Flag).join(Story, Story.id == Flag.story_id)


def _all_by_flag_key(
    session: Session, flt: StoryFilter, per_page: int, offset: int
) -> tuple[list[AnyRow], int]:
    """All stories sorted by a flag column, as two index-friendly queries instead of one outer join.

    Sorted by score or flag time, every flagged row comes before every unflagged one (NULLs last), so a
    page is a slice of the flagged rows (walked along ix_flags_score) followed, past their end, by
    unflagged stories in id order. The outer join would have to join and sort every story for each page.
    """
    flagged = replace(flt, scope="flagged")
    stmt = _filtered(_rows_select("flagged"), flagged).order_by(*_order(flagged))
    rows = list(session.execute(stmt.limit(per_page).offset(offset)).all())
    n_flagged = session.scalar(_filtered(_count_select("flagged"), flagged)) or 0
    # An unflagged story has no topic, score or feedback: it matches only when none of those is filtered.
    if flt.topic is not None or flt.min_score is not None or flt.feedback not in ("any", "none"):
        return rows, n_flagged
    story_only = replace(flt, feedback="any")
    unflagged = _filtered(
        select(
            Story.id.label("story_id"),
            null().label("topic"),
            null().label("score"),
            null().label("flagged_at"),
            null().label("threshold"),
            *_STORY_COLUMNS,
        ).where(~exists().where(Flag.story_id == Story.id)),
        story_only,
    )
    if len(rows) < per_page:
        more = unflagged.order_by(Story.id).limit(per_page - len(rows)).offset(max(0, offset - n_flagged))
        rows += session.execute(more).all()
    n_unflagged = session.scalar(select(func.count()).select_from(unflagged.subquery())) or 0
    return rows, n_flagged + n_unflagged


def list_flagged(session: Session, flt: StoryFilter, user: str | None = None) -> StoryPage:
    """One page of flagged stories (one row per story and topic), newest first unless asked otherwise.

    With scope "all", stories that no topic flagged are listed as well (outer join on flags)."""
    per_page = max(1, min(flt.per_page, MAX_PER_PAGE))
    page = max(1, flt.page)
    offset = (page - 1) * per_page
    if flt.scope == "all" and _SORT_KEYS[flt.sort][0].class_ is Flag:
        found, total = _all_by_flag_key(session, flt, per_page, offset)
    else:
        stmt = _filtered(_rows_select(flt.scope), flt).order_by(*_order(flt)).limit(per_page).offset(offset)
        found = list(session.execute(stmt).all())
        total = session.scalar(_filtered(_count_select(flt.scope), flt)) or 0

    # Looked up for the page's rows only: joining copies inside the paged query would cost a look-up for
    # every row skipped by OFFSET as well.
    original_ids = {r.original_copy_id for r in found if r.original_copy_id is not None}
    sites = dict(session.execute(select(Copy.id, Copy.site).where(Copy.id.in_(original_ids))).all())

    story_ids = sorted({r.story_id for r in found})
    langs = story_languages(session, story_ids)
    feedback = feedback_summaries(session, story_ids, user)
    surged = surged_pairs(session, story_ids)
    rows = tuple(
        StoryRow(
            story_id=r.story_id,
            topic=r.topic,
            score=r.score,
            threshold=r.threshold,
            title=r.title,
            site=sites.get(r.original_copy_id),
            first_seen_at=r.first_seen_at,
            flagged_at=r.flagged_at,
            copies_count=r.copies_count,
            langs=langs.get(r.story_id, ()),
            feedback=feedback.get((r.story_id, r.topic), FeedbackSummary()),
            surge=(r.story_id, r.topic) in surged,
        )
        for r in found
    )
    return StoryPage(rows=rows, total=total, page=page, per_page=per_page)


def story_languages(session: Session, story_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """Languages of each story's copies, most copies first."""
    if not story_ids:
        return {}
    stmt = (
        select(Copy.story_id, Copy.lang, func.count())
        .where(Copy.story_id.in_(story_ids), Copy.lang.is_not(None))
        .group_by(Copy.story_id, Copy.lang)
    )
    counted: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for story_id, lang, n in session.execute(stmt):
        if story_id is not None and lang is not None:  # the WHERE says so; the column types do not
            counted[story_id].append((-n, lang))
    return {sid: tuple(lang for _, lang in sorted(pairs)) for sid, pairs in counted.items()}


def feedback_summaries(
    session: Session, story_ids: Sequence[int], user: str | None
) -> dict[tuple[int, str], FeedbackSummary]:
    if not story_ids:
        return {}
    stmt = select(Feedback.story_id, Feedback.topic, Feedback.user, Feedback.relevant).where(
        Feedback.story_id.in_(story_ids)
    )
    tally: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])  # relevant, not relevant
    mine: dict[tuple[int, str], bool] = {}
    for story_id, topic, who, relevant in session.execute(stmt):
        tally[(story_id, topic)][0 if relevant else 1] += 1
        if user is not None and who == user:
            mine[(story_id, topic)] = bool(relevant)
    return {k: FeedbackSummary(relevant=v[0], not_relevant=v[1], mine=mine.get(k)) for k, v in tally.items()}


def filter_choices(session: Session) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Topics that have flags and languages that have copies: the options of the filter form."""
    topics = tuple(session.scalars(select(Flag.topic).distinct().order_by(Flag.topic)))
    langs = tuple(
        lang
        for lang in session.scalars(
            select(Story.lang).where(Story.lang.is_not(None)).distinct().order_by(Story.lang)
        )
        if lang is not None
    )
    return topics, langs


@dataclass(frozen=True)
class DayCount:
    day: date
    topic: str
    stories: int


def _utc_day(session: Session, column: SQLColumnExpression[datetime]) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp column, as each dialect spells it."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)  # SQLite stores UTC text: date() takes its first ten characters


def flagged_per_day(session: Session, days: int, until: datetime) -> list[DayCount]:
    """Stories flagged per UTC day and topic over the last `days` days (for the page's chart)."""
    since = _day_start((until - timedelta(days=days - 1)).date())
    end = _day_start(until.date() + timedelta(days=1))
    day = _utc_day(session, Flag.flagged_at).label("day")
    stmt = (
        select(day, Flag.topic, func.count())
        .where(Flag.flagged_at >= since, Flag.flagged_at < end)
        .group_by(day, Flag.topic)
        .order_by(day, Flag.topic)
    )
    return [
        DayCount(day=d if isinstance(d, date) else date.fromisoformat(str(d)), topic=topic, stories=n)
        for d, topic, n in session.execute(stmt)
    ]


@dataclass(frozen=True)
class FoundBy:
    """How newsmon came to a copy: a feed listed it, or a discovery provider's query found it."""

    kind: Literal["feed", "discovery"]
    name: str  # the feed's or the provider's name
    query: str | None = None
    lang: str | None = None  # the query's language ("any": not narrowed)

    @property
    def label(self) -> str:
        if self.kind == "feed":
            return f"feed {self.name}"
        return f"discovery: {self.name} '{self.query}' ({self.lang})"


@dataclass(frozen=True)
class CopyView:
    copy_id: int
    url: str
    site: str | None
    title: str
    published: datetime | None
    fetched_at: datetime
    lang: str | None
    feed_name: str | None
    text_source: str
    fetch_status: str
    attribution_site: str | None
    attribution_url: str | None
    is_original: bool
    fetch_reason: str | None = None  # why the page was not the text ("kind: detail", extract/outcome.py)
    found_by: tuple[FoundBy, ...] = ()  # the feeds that listed it and the searches that found it

    @property
    def seen_at(self) -> datetime:
        """When this copy appeared: its publication time if it says, else when we fetched it."""
        return self.published or self.fetched_at


@dataclass(frozen=True)
class EvidenceItem:
    sentence: str
    terms: tuple[str, ...]
    concepts: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class FlagView:
    topic: str
    score: float
    flagged: bool
    copy_id: int | None
    flagged_at: datetime
    evidence: tuple[EvidenceItem, ...]
    features: tuple[tuple[str, float], ...]  # rules that added or took points, largest effect first
    threshold: float | None = None
    rules_silent: int = 0  # rules of the topic that found nothing in this text
    language_note: str = ""  # "language not covered: ..." when the topic has no terms for the text's language


@dataclass(frozen=True)
class StoryDetail:
    story_id: int
    title: str
    lang: str | None
    first_seen_at: datetime
    last_copy_at: datetime
    copies_count: int
    original: CopyView | None
    copies: tuple[CopyView, ...]  # oldest first, at most MAX_COPIES_SHOWN
    flags: tuple[FlagView, ...]
    alerts: tuple[AlertRow, ...]
    feedback: tuple[FeedbackView, ...]
    text_copy_id: int | None = None  # the copy whose text is shown (the best-scoring one)
    text: str = ""
    langs: tuple[str, ...] = field(default_factory=tuple)
    also_in: tuple[LinkedStory, ...] = field(default_factory=tuple)  # the same event in other languages
    surges: tuple[SurgeView, ...] = field(default_factory=tuple)  # one per topic it surged for


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    return None


def _flag_view(flag: Flag) -> FlagView:
    """The evidence column is JSON written by the scorer; read it defensively, a bad row must not 500."""
    data = flag.evidence if isinstance(flag.evidence, dict) else {}
    items = []
    for raw in data.get("evidence") or ():
        if not isinstance(raw, dict) or not isinstance(raw.get("sentence"), str):
            continue
        items.append(
            EvidenceItem(
                sentence=raw["sentence"],
                terms=tuple(str(t) for t in raw.get("terms") or () if t),
                concepts=tuple(str(c) for c in raw.get("concepts") or () if c),
                weight=_number(raw.get("weight")) or 0.0,
            )
        )
    raw_features = data.get("features")
    features = raw_features if isinstance(raw_features, dict) else {}
    numeric = [(str(k), _number(v)) for k, v in features.items()]
    fired = [(k, v) for k, v in numeric if v]  # a rule worth 0 points is noise in the breakdown
    return FlagView(
        topic=flag.topic,
        score=flag.score,
        flagged=bool(data.get("flagged", True)),
        copy_id=flag.copy_id,
        flagged_at=flag.flagged_at,
        evidence=tuple(items),
        features=tuple(sorted(fired, key=lambda kv: -abs(kv[1]))),
        threshold=_number(data.get("threshold")),
        rules_silent=sum(1 for _, v in numeric if v is not None and not v),
        language_note=str(data.get("language_note") or ""),
    )


def _copy_view(r: AnyRow, is_original: bool) -> CopyView:
    return CopyView(
        copy_id=r.id,
        url=r.url,
        site=r.site,
        title=r.title,
        published=r.published,
        fetched_at=r.fetched_at,
        lang=r.lang,
        feed_name=r.feed_name,
        text_source=r.text_source,
        fetch_status=r.fetch_status,
        attribution_site=r.attribution_site,
        attribution_url=r.attribution_url,
        is_original=is_original,
        fetch_reason=r.fetch_reason,
    )


def resolve_story_id(session: Session, story_id: int) -> int | None:
    """Follow merges: a link to a story that was folded into another leads to the one that absorbed it."""
    seen = set()
    current: int | None = story_id
    while current is not None and current not in seen:
        seen.add(current)
        merged_into = session.execute(select(Story.merged_into_id).where(Story.id == current)).first()
        if merged_into is None:
            return None
        if merged_into[0] is None:
            return current
        current = merged_into[0]
    return current


def found_by(session: Session, copy_ids: Sequence[int]) -> dict[int, tuple[FoundBy, ...]]:
    """Per copy, the feeds whose entries led to it and the discovery queries that found it (two statements:
    entries by copy, finds by entry), feeds first, each once."""
    out: dict[int, list[FoundBy]] = defaultdict(list)
    if not copy_ids:
        return {}
    feeds = session.execute(
        select(Entry.copy_id, Feed.name)
        .join(Feed, Feed.id == Entry.feed_id)
        .where(Entry.copy_id.in_(copy_ids))
        .order_by(Entry.copy_id, Entry.id)
    )
    for copy_id, name in feeds:
        if copy_id is not None:
            out[copy_id].append(FoundBy("feed", name))
    finds = session.execute(
        select(Entry.copy_id, DiscoveryProvider.name, DiscoveryQuery.query, DiscoveryQuery.lang)
        .join(DiscoveryFind, DiscoveryFind.entry_id == Entry.id)
        .join(DiscoveryQuery, DiscoveryQuery.id == DiscoveryFind.query_id)
        .join(DiscoveryProvider, DiscoveryProvider.id == DiscoveryQuery.provider_id)
        .where(Entry.copy_id.in_(copy_ids))
        .order_by(Entry.copy_id, DiscoveryFind.id)
    )
    for copy_id, provider, query, lang in finds:
        if copy_id is not None:
            out[copy_id].append(FoundBy("discovery", provider, query, lang))
    return {copy_id: tuple(dict.fromkeys(items)) for copy_id, items in out.items()}


def story_detail(session: Session, story_id: int, topic: str | None = None) -> StoryDetail | None:
    """Everything the detail page shows, in eight indexed statements."""
    story = session.get(Story, story_id)
    if story is None:
        return None
    copy_cols = (
        Copy.id,
        Copy.url,
        Copy.site,
        Copy.title,
        Copy.published,
        Copy.fetched_at,
        Copy.lang,
        Copy.text_source,
        Copy.fetch_status,
        Copy.fetch_reason,
        Copy.attribution_site,
        Copy.attribution_url,
        Feed.name.label("feed_name"),
    )
    seen_at = func.coalesce(Copy.published, Copy.fetched_at)
    copy_rows = session.execute(
        select(*copy_cols)
        .outerjoin(Feed, Feed.id == Copy.feed_id)
        .where(Copy.story_id == story_id)
        .order_by(seen_at, Copy.id)
        .limit(MAX_COPIES_SHOWN)
    ).all()
    copies = tuple(_copy_view(r, r.id == story.original_copy_id) for r in copy_rows)
    original = next((c for c in copies if c.is_original), None)
    if original is None and story.original_copy_id is not None:
        # The original sits beyond the shown copies (a very large story): fetch it by key.
        by_key = select(*copy_cols).outerjoin(Feed, Feed.id == Copy.feed_id)
        row = session.execute(by_key.where(Copy.id == story.original_copy_id)).first()
        original = _copy_view(row, True) if row is not None else None
    sources = found_by(session, [c.copy_id for c in copies] + ([original.copy_id] if original else []))
    copies = tuple(replace(c, found_by=sources.get(c.copy_id, ())) for c in copies)
    if original is not None:
        original = replace(original, found_by=sources.get(original.copy_id, ()))

    flags = tuple(
        _flag_view(f)
        for f in session.scalars(select(Flag).where(Flag.story_id == story_id).order_by(Flag.score.desc()))
    )
    chosen = next((f for f in flags if f.topic == topic), flags[0] if flags else None)
    text_copy_id = (chosen.copy_id if chosen else None) or story.original_copy_id
    text = ""
    if text_copy_id is not None:
        text = session.scalar(select(Copy.text).where(Copy.id == text_copy_id)) or ""

    alerts = tuple(
        AlertRow.of(a, story.title)
        for a in session.scalars(select(Alert).where(Alert.story_id == story_id).order_by(Alert.created_at))
    )
    feedback = tuple(
        FeedbackView.of(f, story.title)
        for f in session.scalars(
            select(Feedback).where(Feedback.story_id == story_id).order_by(Feedback.updated_at.desc())
        )
    )
    langs = story_languages(session, [story_id]).get(story_id, ())
    return StoryDetail(
        story_id=story.id,
        title=story.title,
        lang=story.lang,
        first_seen_at=story.first_seen_at,
        last_copy_at=story.last_copy_at,
        copies_count=story.copies_count,
        original=original,
        copies=copies,
        flags=flags,
        alerts=alerts,
        feedback=feedback,
        text_copy_id=text_copy_id,
        text=text,
        langs=langs,
        also_in=linked_stories(session, [story_id]).get(story_id, ()),
        surges=tuple(surges_of(session, story_id)),
    )


# ------------------------------------------------------------------------------------------ feedback


class UnknownFlag(LookupError):
    """Feedback is about a flag; a verdict on a (story, topic) that was never flagged is refused."""


def set_feedback(
    session: Session,
    story_id: int,
    topic: str,
    user: str,
    relevant: bool,
    note: str | None,
    now: datetime,
) -> FeedbackView:
    """Record (or change) one analyst's verdict; one row per (story, topic, user), so it is idempotent."""
    flagged = session.execute(
        select(Flag.id, Story.title)
        .join(Story, Story.id == Flag.story_id)
        .where(Flag.story_id == story_id, Flag.topic == topic)
    ).first()
    if flagged is None:
        raise UnknownFlag(f"story {story_id} is not flagged for topic {topic!r}")
    note = (note or "").strip() or None
    row = {
        "story_id": story_id,
        "topic": topic,
        "user": user,
        "relevant": relevant,
        "note": note,
        "created_at": now,
        "updated_at": now,
    }
    keys = ("story_id", "topic", "user")
    upsert(session, Feedback, row, keys=keys, update=("relevant", "note", "updated_at"))
    return FeedbackView(
        story_id=story_id,
        topic=topic,
        user=user,
        relevant=relevant,
        note=note,
        updated_at=now,
        story_title=flagged.title or "",
    )


# --------------------------------------------------------------------------------------- feed health


@dataclass(frozen=True)
class FeedHealth:
    feed_id: int
    name: str
    url: str
    lang: str | None
    active: bool
    last_polled_at: datetime | None
    last_success_at: datetime | None
    consecutive_errors: int
    last_error_kind: str | None
    last_error: str | None
    next_poll_at: datetime | None
    disabled_reason: str | None
    entries: int
    stories: int
    entries_skipped: int = 0  # pushed out of the bounded backlog by newer entries (store/entries.py)
    last_poll_items: int | None = None
    last_poll_surplus: int | None = None  # items of the last poll beyond the newest `feed_backlog`

    def status(self, now: datetime) -> str:
        """ok | backing_off | failing | disabled | removed | never_polled — the badge on the page."""
        if not self.active:
            return "removed"
        if self.disabled_reason:
            return "disabled"
        if self.consecutive_errors:
            if self.next_poll_at is not None and self.next_poll_at > now:
                return "backing_off"
            return "failing"
        if self.last_success_at is None:
            return "never_polled"
        return "ok"


def feed_health(session: Session) -> list[FeedHealth]:
    """Each feed's polling state and what it contributed; the worst-off feeds first."""
    entries = dict(session.execute(select(Entry.feed_id, func.count()).group_by(Entry.feed_id)).all())
    stories = dict(
        session.execute(
            select(Copy.feed_id, func.count(func.distinct(Copy.story_id)))
            .where(Copy.feed_id.is_not(None))
            .group_by(Copy.feed_id)
        ).all()
    )
    out = [
        FeedHealth(
            feed_id=f.id,
            name=f.name,
            url=f.url,
            lang=f.lang,
            active=f.active,
            last_polled_at=f.last_polled_at,
            last_success_at=f.last_success_at,
            consecutive_errors=f.consecutive_errors or 0,
            last_error_kind=f.last_error_kind,
            last_error=f.last_error,
            # a disabled or removed feed is not polled again until brought back: no next poll to show
            next_poll_at=None if f.disabled_reason or not f.active else f.next_poll_at,
            disabled_reason=f.disabled_reason,
            entries=entries.get(f.id, 0),
            stories=stories.get(f.id, 0),
            entries_skipped=f.entries_skipped or 0,
            last_poll_items=f.last_poll_items,
            last_poll_surplus=f.last_poll_surplus,
        )
        for f in session.scalars(select(Feed).order_by(Feed.name))
    ]
    out.sort(key=lambda h: (not h.active, -h.consecutive_errors, h.name.lower()))
    return out


# --------------------------------------------------------------------------------- discovery health


@dataclass(frozen=True)
class ProviderHealth:
    """A discovery provider on Feed health: its request state, its queries, what it found."""

    provider_id: int
    name: str
    kind: str
    url: str
    active: bool
    last_run_at: datetime | None
    last_success_at: datetime | None
    consecutive_errors: int
    last_error_kind: str | None
    last_error: str | None
    next_run_at: datetime | None  # no request before; None: in the next run
    queries: int  # active queries
    failing_queries: int  # active queries whose last search failed
    last_query_error: str | None  # "kind: text" of one of those
    entries: int  # entries whose article one of its queries found
    stories: int

    def status(self, now: datetime) -> str:
        """ok | backing_off | failing | removed | never_run — the badge on the page."""
        if not self.active:
            return "removed"
        if self.consecutive_errors:
            return "backing_off" if self.next_run_at is not None and self.next_run_at > now else "failing"
        return "ok" if self.last_success_at is not None else "never_run"


def discovery_health(session: Session) -> list[ProviderHealth]:
    """Every discovery provider with its state and contribution (four statements)."""
    queries: dict[int, list[DiscoveryQuery]] = defaultdict(list)
    for q in session.scalars(select(DiscoveryQuery).where(DiscoveryQuery.active.is_(True))):
        queries[q.provider_id].append(q)
    found = (
        select(DiscoveryQuery.provider_id, Entry.id.label("entry_id"), Entry.copy_id)
        .join(DiscoveryFind, DiscoveryFind.query_id == DiscoveryQuery.id)
        .join(Entry, Entry.id == DiscoveryFind.entry_id)
        .distinct()
        .subquery()
    )
    contributed = {
        r.provider_id: (r.entries, r.stories)
        for r in session.execute(
            select(
                found.c.provider_id,
                func.count(func.distinct(found.c.entry_id)).label("entries"),
                func.count(func.distinct(Copy.story_id)).label("stories"),
            )
            .outerjoin(Copy, Copy.id == found.c.copy_id)
            .group_by(found.c.provider_id)
        )
    }
    out = []
    for p in session.scalars(select(DiscoveryProvider).order_by(DiscoveryProvider.name)):
        failing = [q for q in queries[p.id] if q.last_error_kind]
        entries, stories = contributed.get(p.id, (0, 0))
        out.append(
            ProviderHealth(
                provider_id=p.id,
                name=p.name,
                kind=p.kind,
                url=p.url,
                active=p.active,
                last_run_at=p.last_run_at,
                last_success_at=p.last_success_at,
                consecutive_errors=p.consecutive_errors or 0,
                last_error_kind=p.last_error_kind,
                last_error=p.last_error,
                next_run_at=p.next_run_at if p.active else None,
                queries=len(queries[p.id]),
                failing_queries=len(failing),
                last_query_error=f"{failing[0].last_error_kind}: {failing[0].last_error}"
                if failing
                else None,
                entries=entries,
                stories=stories,
            )
        )
    out.sort(key=lambda h: (not h.active, -h.consecutive_errors, h.name))
    return out
