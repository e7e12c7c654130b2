"""Alert and digest emails: plain data in, subject + text + HTML out, through Jinja2 templates.

Everything shown comes from fetched pages and feeds, i.e. from strangers: HTML templates autoescape, links
are only made where ``newsmon.http.links`` allows (web addresses newsmon did not refuse), and header
values are flattened to one line. Matched terms are marked by `newsmon.topics.highlight.mark_terms` as
(text, marked) pieces, so the templates never build markup from strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from newsmon.http.links import safe_href

if TYPE_CHECKING:  # imported when the first email is rendered, not when the DAGs are parsed
    import jinja2

from newsmon.topics.highlight import mark_terms

TEMPLATES = Path(__file__).parent / "templates"
SUBJECT_TITLE_CHARS = 120
MAX_COPIES = 50


@dataclass(frozen=True)
class CopyInfo:
    site: str | None
    title: str
    url: str
    published: datetime | None = None
    is_original: bool = False


@dataclass(frozen=True)
class EvidenceInfo:
    sentence: str
    terms: tuple[str, ...] = ()
    weight: float = 0.0


@dataclass(frozen=True)
class AlertContext:
    """What an alert email says about one (story, topic)."""

    story_id: int
    topic: str
    score: float
    story_title: str
    message_id: str
    ui_url: str
    original: CopyInfo | None = None
    copies: tuple[CopyInfo, ...] = ()
    evidence: tuple[EvidenceInfo, ...] = ()
    threshold: float | None = None
    first_seen_at: datetime | None = None

    @property
    def story_url(self) -> str:
        return f"{self.ui_url.rstrip('/')}/stories/{self.story_id}"


@dataclass(frozen=True)
class RenderedAlert:
    subject: str
    text: str
    html: str
    message_id: str


@dataclass(frozen=True)
class DigestStory:
    story_id: int
    title: str
    score: float = 0.0
    site: str | None = None
    url: str | None = None
    copies: int = 0
    new_copies: int = 0
    also_in: tuple[str, ...] = ()  # languages of linked stories on the same event


@dataclass(frozen=True)
class DigestTopic:
    topic: str
    new_stories: tuple[DigestStory, ...] = ()
    new_total: int = 0  # may exceed len(new_stories): the list is capped
    updated_stories: tuple[DigestStory, ...] = ()


@dataclass(frozen=True)
class DigestContext:
    recipient: str
    period: str
    since: datetime
    until: datetime
    ui_url: str
    message_id: str
    topics: tuple[DigestTopic, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class BackfillContext:
    """The one summary email of a backfill to one recipient: flags found on older stories."""

    recipient: str
    topic: str
    version: str  # the topic version (short content hash) the archive was re-scored with
    since: datetime
    quiet_before: datetime
    ui_url: str
    message_id: str
    stories: tuple[DigestStory, ...]
    total: int  # may exceed len(stories): the list is capped

    @property
    def list_url(self) -> str:
        return f"{self.ui_url.rstrip('/')}/?{urlencode({'topic': self.topic, 'sort': 'score'})}"


@dataclass(frozen=True)
class SurgeContext:
    """A surge alert: a flagged story that gained many copies from many sites within a few hours."""

    story_id: int
    topic: str
    story_title: str
    copies: int  # copies inside the window
    sites: int  # distinct sites among them
    hours: float
    window_start: datetime
    window_end: datetime
    ui_url: str
    message_id: str
    timeline: tuple[CopyInfo, ...] = ()  # every copy of the story, oldest first (`published`: its time)
    in_window: frozenset[int] = frozenset()  # indexes of `timeline` inside the window

    @property
    def story_url(self) -> str:
        return f"{self.ui_url.rstrip('/')}/stories/{self.story_id}"


def one_line(value: str | None, limit: int | None = None) -> str:
    """Collapse all whitespace (newlines included: they would end an email header) and shorten."""
    text = " ".join((value or "").split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "time unknown"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html",), disabled_extensions=("txt",), default=True
        ),
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the test, not the email silently
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(one_line=one_line, safe_href=safe_href, when=_when, mark_terms=mark_terms)
    return env


def _render(name: str, **values: Any) -> str:
    return environment().get_template(name).render(**values)


def alert_subject(ctx: AlertContext) -> str:
    title = one_line(ctx.story_title, SUBJECT_TITLE_CHARS) or f"story {ctx.story_id}"
    return f"[newsmon] {one_line(ctx.topic)} ({ctx.score:.2f}): {title}"


def render_alert(ctx: AlertContext) -> RenderedAlert:
    copies = ctx.copies[:MAX_COPIES]
    evidence = tuple(e for e in ctx.evidence if e.weight >= 0) or ctx.evidence
    values = {
        "ctx": ctx,
        "copies": copies,
        "more_copies": len(ctx.copies) - len(copies),
        "evidence": evidence,
    }
    return RenderedAlert(
        subject=alert_subject(ctx),
        text=_render("alert.txt", **values),
        html=_render("alert.html", **values),
        message_id=ctx.message_id,
    )


def alert_context(data: Any, *, ui_url: str) -> AlertContext:
    """Build the context from `newsmon.store.alerts.AlertData` (the flag's evidence is TopicScore JSON)."""
    copies = tuple(
        CopyInfo(
            site=c["site"],
            title=c["title"] or "",
            url=c["url"],
            published=c["published"] or c["fetched_at"],
            is_original=c["id"] == data.original_copy_id,
        )
        for c in data.copies
    )
    original = next((c for c in copies if c.is_original), copies[0] if copies else None)
    ev: Mapping[str, Any] = data.evidence or {}
    evidence = []
    for item in ev.get("evidence") or ():
        if isinstance(item, Mapping) and item.get("sentence"):
            evidence.append(
                EvidenceInfo(
                    sentence=str(item["sentence"]),
                    terms=tuple(str(t) for t in item.get("terms") or ()),
                    weight=float(item.get("weight") or 0.0),
                )
            )
    threshold = ev.get("threshold")
    return AlertContext(
        story_id=data.story_id,
        topic=data.topic,
        score=float(data.score),
        story_title=data.story_title,
        message_id=data.message_id,
        ui_url=ui_url,
        original=original,
        copies=copies,
        evidence=tuple(evidence),
        threshold=float(threshold) if isinstance(threshold, int | float) else None,
        first_seen_at=data.first_seen_at,
    )


def digest_subject(ctx: DigestContext) -> str:
    total = sum(t.new_total for t in ctx.topics)
    topics = ", ".join(one_line(t.topic) for t in ctx.topics if t.new_total or t.updated_stories)
    noun = "story" if total == 1 else "stories"
    return f"[newsmon] digest {ctx.period}: {total} new {noun} ({topics})"


def render_digest(ctx: DigestContext) -> RenderedAlert:
    values = {"ctx": ctx}
    return RenderedAlert(
        subject=digest_subject(ctx),
        text=_render("digest.txt", **values),
        html=_render("digest.html", **values),
        message_id=ctx.message_id,
    )


def backfill_subject(ctx: BackfillContext) -> str:
    noun = "story" if ctx.total == 1 else "stories"
    return f"[newsmon] backfill {one_line(ctx.topic)}: {ctx.total} earlier {noun} now flagged"


def render_backfill(ctx: BackfillContext) -> RenderedAlert:
    values = {"ctx": ctx}
    return RenderedAlert(
        subject=backfill_subject(ctx),
        text=_render("backfill.txt", **values),
        html=_render("backfill.html", **values),
        message_id=ctx.message_id,
    )


def surge_subject(ctx: SurgeContext) -> str:
    title = one_line(ctx.story_title, SUBJECT_TITLE_CHARS) or f"story {ctx.story_id}"
    return f"[newsmon] surge {one_line(ctx.topic)}: {ctx.copies} copies from {ctx.sites} sites: {title}"


def render_surge(ctx: SurgeContext) -> RenderedAlert:
    values = {
        "ctx": ctx,
        "timeline": ctx.timeline[:MAX_COPIES],
        "more": max(0, len(ctx.timeline) - MAX_COPIES),
    }
    return RenderedAlert(
        subject=surge_subject(ctx),
        text=_render("surge.txt", **values),
        html=_render("surge.html", **values),
        message_id=ctx.message_id,
    )
