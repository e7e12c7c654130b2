"""Preview a topic over the stored archive before it goes live: what it would flag that is not flagged
now, and what is flagged now that it would no longer flag, with the evidence.

Scored exactly as the monitor and the backfill score (`newsmon.topics.flagging`: each copy's stored title,
text and language; a story is flagged when one of its copies is, with its best copy's evidence), inside a
read-only transaction (`store.db.read_only_scope`): a preview writes nothing, and the database would refuse
it if it tried. "Now" is the flags stored for the topic (what the News Monitor page lists); when the topic
also has a live file of a different version, each row shows that file's score as well.

The archive is streamed story by story; only the `limit` best rows of each list are kept, so memory stays
flat however many copies are scored (bench/preview.py measures time and peak memory on 100k copies).
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from newsmon.store.archive import count_active, stored_flags, story_info, stream_copies
from newsmon.store.db import SessionSource, read_only_scope
from newsmon.topics.flagging import StoryVerdict, score_copy, scoring_topics
from newsmon.topics.model import TOPIC_SUFFIXES, Topic, TopicConfigError, load_topic, parse_topic
from newsmon.topics.score import Evidence
from newsmon.topics.version import topic_hash


@dataclass(frozen=True)
class PreviewRow:
    """One story whose flag would change, with what the edited topic found in it."""

    story_id: int
    title: str
    first_seen_at: datetime | None
    copies_count: int
    score: float  # the edited topic's best score over the story's copies
    threshold: float
    stored_score: float | None  # the flag stored now; None when the story is not flagged now
    stored_hash: str | None  # the topic version that stored it
    copy_id: int | None  # the copy that scored `score`
    evidence: tuple[Evidence, ...] = ()
    language_note: str = ""
    live_score: float | None = None  # the live file's score, when it is a different version


@dataclass(frozen=True)
class TopicPreview:
    topic: str
    title: str
    topic_hash: str
    live_hash: str | None  # the live file's version; None for a topic that is not live yet
    since: datetime
    stories: int  # stories scored (live stories with a copy since `since`)
    copies: int  # copies scored
    would_flag: tuple[PreviewRow, ...]  # best first, at most `limit`
    would_flag_total: int
    would_unflag: tuple[PreviewRow, ...]
    would_unflag_total: int
    still_flagged: int  # flagged now and by the edited topic
    stored: int  # flags stored now for the topic on these stories
    outdated: int  # of those, scored by another version than the edited one
    seconds: float = 0.0

    @property
    def new_topic(self) -> bool:
        return self.live_hash is None

    @property
    def changed(self) -> bool:
        """The previewed file is not the live version (an edited draft, or a new topic)."""
        return self.topic_hash != self.live_hash


class _Best:
    """The `limit` rows with the highest key, in a bounded min-heap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.heap: list[tuple[float, int, PreviewRow]] = []
        self.total = 0

    def offer(self, key: float, row: PreviewRow) -> None:
        self.total += 1
        item = (key, -row.story_id, row)  # equal keys: the older story wins
        if len(self.heap) < self.limit:
            heapq.heappush(self.heap, item)
        elif self.limit and item[:2] > self.heap[0][:2]:
            heapq.heapreplace(self.heap, item)

    def rows(self) -> list[PreviewRow]:
        return [row for _, _, row in sorted(self.heap, key=lambda x: x[:2], reverse=True)]


def preview_topic(
    source: SessionSource,
    topic: Topic,
    *,
    since: datetime,
    limit: int = 50,
    live: Topic | None = None,
) -> TopicPreview:
    """Score the archive since `since` with `topic` (read-only) and compare with the stored flags.

    `live` is the topic's live version (the file in the topics folder), if any; when it differs from
    `topic`, its score is shown beside the edited one's."""
    started = time.perf_counter()
    candidate_hash = topic_hash(topic)
    live_hash = topic_hash(live) if live is not None else None
    topics = [topic] + ([live] if live is not None and live_hash != candidate_hash else [])
    scoring = scoring_topics(topics)
    would_flag, would_unflag = _Best(limit), _Best(limit)
    still = 0
    with read_only_scope(source) as session:
        stories, copies = count_active(session, since)
        stored = stored_flags(session, topic.name, since)
        outdated = sum(1 for f in stored.values() if f.topic_hash != candidate_hash)

        def settle(verdicts: list[StoryVerdict]) -> None:
            nonlocal still
            mine = verdicts[0]
            now = stored.get(mine.story_id)
            if mine.flagged == (now is not None):
                still += now is not None
                return
            pick = mine.best or mine.top
            assert pick is not None  # a story with copies has a top score
            result = pick.result
            row = PreviewRow(
                story_id=mine.story_id,
                title="",
                first_seen_at=None,
                copies_count=mine.copies,
                score=result.score,
                threshold=result.threshold,
                stored_score=now.score if now else None,
                stored_hash=now.topic_hash if now else None,
                copy_id=pick.copy_id,
                evidence=result.evidence,
                language_note=result.language_note,
                live_score=verdicts[1].top.result.score if len(verdicts) > 1 and verdicts[1].top else None,
            )
            if mine.flagged:
                would_flag.offer(result.score, row)
            else:
                would_unflag.offer(now.score if now else 0.0, row)

        current: list[StoryVerdict] = []
        for copy in stream_copies(session, since):
            if not current or current[0].story_id != copy.story_id:
                if current:
                    settle(current)
                current = [StoryVerdict(copy.story_id, t.name) for t in scoring]
            results = score_copy(scoring, title=copy.title, text=copy.text, lang=copy.lang)
            for verdict, result in zip(current, results, strict=True):
                verdict.add(copy.copy_id, result)
        if current:
            settle(current)

        kept = would_flag.rows() + would_unflag.rows()
        info = story_info(session, [r.story_id for r in kept])

    def named(rows: list[PreviewRow]) -> tuple[PreviewRow, ...]:
        out = []
        for r in rows:
            s = info.get(r.story_id)
            out.append(
                replace(r, title=s.title, first_seen_at=s.first_seen_at, copies_count=s.copies_count)
                if s
                else r
            )
        return tuple(out)

    return TopicPreview(
        topic=topic.name,
        title=topic.title,
        topic_hash=candidate_hash,
        live_hash=live_hash,
        since=since,
        stories=stories,
        copies=copies,
        would_flag=named(would_flag.rows()),
        would_flag_total=would_flag.total,
        would_unflag=named(would_unflag.rows()),
        would_unflag_total=would_unflag.total,
        still_flagged=still,
        stored=len(stored),
        outdated=outdated,
        seconds=round(time.perf_counter() - started, 3),
    )


def live_topic(topics_dir: Path, name: str) -> Topic | None:
    """The live version of a topic: `<name>.yaml` (or .yml) in the topics folder, None if there is none."""
    for suffix in TOPIC_SUFFIXES:
        path = Path(topics_dir) / f"{name}{suffix}"
        if path.is_file():
            return load_topic(path)
    return None


def load_candidate(path: Path, topics_dir: Path, name: str | None = None) -> tuple[Topic, Topic | None]:
    """(the topic in `path`, its live version or None). Raises TopicConfigError ("FILE:LINE: ...").

    The name is `name`, else the file's stem (a draft saved as `drafts/child_repatriation.yaml` previews
    the topic `child_repatriation`). A draft without its own `<stem>/` folder of terms files uses the live
    topic's terms files, so a copy of the topic file alone previews the topic with all its languages."""
    path = Path(path)
    name = name or path.stem
    live = live_topic(topics_dir, name)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TopicConfigError(f"{path}:0: cannot read topic file: {exc}") from exc
    own_terms = path.with_name(path.stem)
    if own_terms.is_dir():
        term_files = {p.stem: p for p in sorted(own_terms.iterdir()) if p.suffix in TOPIC_SUFFIXES}
    else:
        term_files = dict(live.term_files) if live is not None else {}
    return parse_topic(source, name=name, path=path, term_files=term_files), live
