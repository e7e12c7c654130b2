"""Which stories a set of topics flags: the one rule the monitor (`pipeline.flag_topics`), the preview and
the backfill share, so a preview shows exactly what the monitor or a backfill would store.

* Text: each copy is scored on its stored title, text and language (``Copy.title/text/lang``), analysed
  once (`analyse`) for every topic; a topic's learned layer decides the flag where one beat the rules.
* Story: a story is flagged for a topic when one of its copies is; the flag keeps the best-scoring flagged
  copy, the first in copy-id order on a tie (what `store.flags.record_flag` does as copies arrive).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from newsmon.topics.learned import LearnedModel, apply_learned, load_model_for
from newsmon.topics.model import Topic
from newsmon.topics.score import TopicScore, score_analysis
from newsmon.topics.text import analyse
from newsmon.topics.version import topic_hash


@dataclass(frozen=True)
class ScoringTopic:
    """A topic ready to score: its definition, its learned layer (if any) and its version hash."""

    topic: Topic
    model: LearnedModel | None
    hash: str

    @property
    def name(self) -> str:
        return self.topic.name


def scoring_topics(topics: Iterable[Topic]) -> list[ScoringTopic]:
    return [ScoringTopic(t, load_model_for(t), topic_hash(t)) for t in topics]


def score_copy(
    topics: Sequence[ScoringTopic], *, title: str | None, text: str | None, lang: str | None
) -> list[TopicScore]:
    """One stored copy scored for every topic, in the order of `topics` (one analysis for all)."""
    analysis = analyse(title or "", text or "", lang)
    return [apply_learned(t.model, score_analysis(t.topic, analysis)) for t in topics]


@dataclass(frozen=True)
class CopyScore:
    copy_id: int
    result: TopicScore


@dataclass
class StoryVerdict:
    """What the copies of one story say for one topic."""

    story_id: int
    topic: str
    best: CopyScore | None = None  # the best flagged copy: the flag that would be stored; None = no flag
    top: CopyScore | None = None  # the highest score of any copy, flagged or not (to show how close)
    copies: int = 0

    @property
    def flagged(self) -> bool:
        return self.best is not None

    def add(self, copy_id: int, result: TopicScore) -> None:
        self.copies += 1
        if self.top is None or result.score > self.top.result.score:
            self.top = CopyScore(copy_id, result)
        if result.flagged and (self.best is None or result.score > self.best.result.score):
            self.best = CopyScore(copy_id, result)


@dataclass
class StoryScores:
    """Collects copy scores into per-(story, topic) verdicts. Feed it copies in copy-id order."""

    verdicts: dict[tuple[int, str], StoryVerdict] = field(default_factory=dict)

    def add(self, story_id: int, copy_id: int, results: Iterable[TopicScore]) -> None:
        for result in results:
            key = (story_id, result.topic)
            verdict = self.verdicts.get(key)
            if verdict is None:
                verdict = self.verdicts[key] = StoryVerdict(story_id, result.topic)
            verdict.add(copy_id, result)

    def pop_story(self, story_id: int) -> list[StoryVerdict]:
        """The verdicts of one story, removed from the collection (a stream of stories stays small)."""
        keys = [k for k in self.verdicts if k[0] == story_id]
        return [self.verdicts.pop(k) for k in keys]
