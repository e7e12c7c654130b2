"""Analysts' verdicts -> labelled examples for `evaluate` and the learned layer.

Several analysts may judge the same story: the majority decides its label, and a tie is left out
(a coin flip would teach the model noise and blur the report). A verdict about an article without
text is left out too: there is nothing to score. The store reads the verdicts
(`newsmon.store.feedback.feedback_votes`); this module is pure so it can be tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from newsmon.topics.evaluate import LabelledExample


class Vote(Protocol):
    story_id: int
    topic: str
    relevant: bool
    title: str
    text: str
    lang: str | None


@dataclass(frozen=True)
class FeedbackExamples:
    """The examples, and how many judged stories could not become one (and why)."""

    examples: tuple[LabelledExample, ...]
    ties: int = 0
    without_text: int = 0

    @property
    def skipped(self) -> int:
        return self.ties + self.without_text


def examples_from_votes(votes: Iterable[Vote], topic: str | None = None) -> FeedbackExamples:
    """One example per (story, topic): label 1 when most analysts said relevant, 0 when most said not."""
    tally: dict[tuple[str, int], list[int]] = {}
    first: dict[tuple[str, int], Vote] = {}
    for v in votes:
        if topic is not None and v.topic != topic:
            continue
        key = (v.topic, v.story_id)
        counts = tally.setdefault(key, [0, 0])
        counts[0 if v.relevant else 1] += 1
        first.setdefault(key, v)
    examples: list[LabelledExample] = []
    ties = without_text = 0
    for key in sorted(tally):
        yes, no = tally[key]
        if yes == no:
            ties += 1
            continue
        v = first[key]
        if not (v.text or "").strip() and not (v.title or "").strip():
            without_text += 1
            continue
        examples.append(
            LabelledExample(
                id=f"story-{v.story_id}",
                text=v.text or "",
                title=v.title or "",
                lang=v.lang or None,
                kind="feedback",
                label=1 if yes > no else 0,
            )
        )
    return FeedbackExamples(tuple(examples), ties=ties, without_text=without_text)
