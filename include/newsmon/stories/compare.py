"""The same-story decision for two copies, from the alignment of their texts, their figures, their
languages and publication times, and a declared attribution.

Candidates come from the LSH buckets; this module decides on the texts of the few candidates (see
`evidence` for what is measured and why it survives editing and spinning). Each decision carries the
rule that made it and the evidence, so a merge in the log says *why* two copies were judged one story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property

from newsmon.stories.anchors import (
    Anchors,
    anchors,
    clock_minutes,
    skeleton,
    skeleton_in_order,
    weekdays,
)
from newsmon.stories.config import FoldConfig
from newsmon.stories.dates import Stated, days_apart, stated_dates
from newsmon.stories.evidence import (
    DENSE_LETTER_RE,
    YEAR_RE,
    Alignment,
    LeadRule,
    Segmented,
    align,
    is_number,
    is_running_line,
    lead_dateline,
    lead_figures,
    other_dispatch,
    segment,
)
from newsmon.stories.fingerprints import despace, despaced_prefix

# Han ideographs, kana and Hangul syllables: scripts written without spaces between words, where a
# word takes one to three characters instead of an alphabet's five to eight.
_DENSE_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
#: How many characters of an alphabet one character of a dense script stands for, in a lead's length
#: (and how many kana or Han tokens a word, in a chain's or a sentence's length).
_DENSE_CHARS = 3
#: Days between an event and a report's publication within which a full date the report states is
#: the news (its own days) rather than history recalled: the days a link between languages spans
#: (see `FoldConfig.link_max_gap_days`).
_OWN_DAYS = 3


@dataclass
class Features:
    """A copy's comparable features, computed lazily once per fold run."""

    text: str
    lang: str | None
    published: datetime | None
    k: int
    lead_chars: int
    min_sentence_words: int = 5
    #: When the pipeline fetched the copy: a copy without a date is fetched when it is new (the feeds
    #: are polled), so two undated copies fetched weeks apart are not one event's reports.
    fetched: datetime | None = None

    @cached_property
    def flat(self) -> str:
        return despace(self.text)

    def _opening_mostly(self, letters: re.Pattern[str]) -> bool:
        """Are most characters of the opening (`lead_chars` of the despaced text) `letters`?"""
        head = self.flat[: self.lead_chars]
        return 2 * len(letters.findall(head)) > len(head)

    @cached_property
    def dense(self) -> bool:
        """Is most of the opening in a dense script (see `_DENSE_RE`)?"""
        return self._opening_mostly(_DENSE_RE)

    @cached_property
    def segmented(self) -> Segmented:
        # Kana and Han are one token a character (see `evidence.DENSE_LETTERS`): a sentence's least
        # length is counted in characters, `_DENSE_CHARS` of them a word.
        return segment(self.text, self.min_sentence_words * (_DENSE_CHARS if self.dense_tokens else 1))

    @cached_property
    def dense_tokens(self) -> bool:
        """Is the text mostly in kana and Han, which `segment` reads a character a token?"""
        return self._opening_mostly(DENSE_LETTER_RE)

    @property
    def tokens(self) -> list[str]:
        return self.segmented.tokens

    @cached_property
    def lead_length(self) -> int:
        """`lead_chars` in the text's own script: a third of it where most characters of the opening
        are of a dense script, so a lead is the same two sentences or so in Japanese as in English
        (300 characters of Japanese run to five or six sentences, longer than a lead-only copy keeps)."""
        return self.lead_chars // _DENSE_CHARS if self.dense else self.lead_chars

    @property
    def lead_flat(self) -> str:
        """The despaced opening of the body (headline and teaser lines skipped): what lead buckets hash."""
        return despaced_prefix(self.segmented.body_text, self.lead_length)

    def probe_flats(self, sentences: int) -> list[str]:
        """Despaced openings that start at the body's 2nd, 3rd... prose sentence (up to `sentences`):
        what a copy under a standfirst, a caption or an aggregator's summary probes the lead buckets
        with, to find the article whose lead its opening repeats."""
        seg = self.segmented
        return [
            despaced_prefix(seg.body_text[off:], self.lead_length)
            for off in seg.lead_offsets[1:sentences]
            if off < len(seg.body_text)
        ]

    @cached_property
    def anchors(self) -> Anchors:
        return anchors(self.text, toks=self.tokens, lang=self.base_lang or None)

    @cached_property
    def figures(self) -> frozenset[str]:
        """Every figure of the text: as digits, and those written as words (see `anchors`)."""
        return frozenset(t for t in self.tokens if is_number(t)) | frozenset(self.anchors.figures)

    @cached_property
    def clocks(self) -> frozenset[str]:
        """The minutes of the clock times the text's running lines give (see `anchors.clock_minutes`):
        a line of prose, not a page's time stamp or a header ("27 Dec, 2019 02:55", "| 09:27 |")."""
        return clock_minutes(self._running_text)

    @cached_property
    def weekdays(self) -> frozenset[int]:
        """The days of the week the text's running lines name (see `anchors.weekdays`)."""
        return weekdays(self._running_text)

    @cached_property
    def stated_dates(self) -> tuple[Stated, ...]:
        """The dates the opening states (a dateline, a page's stamp, the lead's "on 19 October"), in
        text order (see `dates.stated_dates`). A date further on is often history recalled ("the quake
        of 27 October"), not the day of the event."""
        return stated_dates(self.text[: self.lead_chars])

    @cached_property
    def _running_text(self) -> str:
        return "\n".join(line for line in self.text.splitlines() if is_running_line(line))

    @cached_property
    def background_figures(self) -> frozenset[str]:
        """The figures of the sentences that name a year: history recalled ("the 2023 quake killed
        53,000"), which every report of the topic repeats, whichever of its events it is about."""
        seg = self.segmented
        out: set[str] = set()
        for s, e in seg.spans:
            toks = seg.tokens[s:e]
            if any(YEAR_RE.fullmatch(t) for t in toks) and not self._dates_its_own_days(toks):
                out.update(t for t in toks if is_number(t))
        return frozenset(out)

    def _dates_its_own_days(self, toks: list[str]) -> bool:
        """Does a sentence name its years only in full dates of the copy's own days (within
        `_OWN_DAYS` of its publication)? Then it tells the news, not history: an official statement
        quoted in the lead ("On October 22, 2023, a special flight carried 21 women and 62
        children") gives the event's figures with its date. Not known for an undated copy."""
        if self.published is None:
            return False
        dated = [d for d in stated_dates(" ".join(toks)) if d[0]]
        own = (self.published.year, self.published.month, self.published.day)
        years = {int(t) for t in toks if YEAR_RE.fullmatch(t)}
        return (
            bool(dated)
            and years <= {d[0] for d in dated}
            and all(days_apart(d, own) <= _OWN_DAYS for d in dated)
        )

    @cached_property
    def skeleton(self) -> tuple[frozenset[str], ...]:
        return skeleton(self.segmented)

    @property
    def base_lang(self) -> str:
        return self.lang.split("-")[0].lower() if self.lang else ""


@dataclass(frozen=True)
class Verdict:
    same: bool
    rule: str  # which rule decided, e.g. "copy", or why not, e.g. "figures-differ"
    evidence: Alignment | None = None

    def describe(self) -> str:
        return f"{self.rule}: {self.evidence.describe()}" if self.evidence else self.rule


def gap_days(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return abs((a - b).total_seconds()) / 86400.0


def alignment(a: Features, b: Features, cfg: FoldConfig, *, min_coverage: float = 0.0) -> Alignment:
    """The alignment evidence, measured on the shorter of the two texts; below `min_coverage` only the
    coverage and the figures in chains (see `align`)."""
    small, large = (a, b) if a.segmented.content_words <= b.segmented.content_words else (b, a)
    # Lengths in words are `_DENSE_CHARS` tokens each in kana and Han (a token a character); the
    # holes a chain bridges stay as short, so a chain of characters is no looser than one of words.
    per_word = _DENSE_CHARS if a.dense_tokens and b.dense_tokens else 1
    return align(
        small.segmented,
        large.segmented,
        max_gap=cfg.chain_max_gap,
        min_chain=cfg.chain_min_words * per_word,
        aligned_score=cfg.sentence_aligned,
        strong_score=cfg.sentence_strong,
        aligned_share=cfg.sentence_aligned_share,
        strong_share=cfg.sentence_strong_share,
        lead=LeadRule(
            cfg.lead_words * per_word,
            cfg.lead_kept_share,
            cfg.lead_reach_words * per_word,
            cfg.lead_reach_share,
            cfg.lead_sentences,
            cfg.sentence_strong,
            cfg.lead_whole_sentences,
        ),
        currency_reach=cfg.currency_reach,
        min_coverage=min_coverage,
    )


def compare(a: Features, b: Features, cfg: FoldConfig, *, attributed: bool = False) -> Verdict:
    """Are `a` and `b` copies of one story? `attributed`: one declares the other as its source."""
    gap = gap_days(a.published, b.published)
    if gap is not None and gap > cfg.max_gap_days:
        return Verdict(False, "time-gap")
    if cfg.same_lang_only and a.base_lang and b.base_lang and a.base_lang != b.base_lang:
        return Verdict(False, "language")
    if a.flat and a.flat == b.flat:
        return Verdict(True, "exact")
    if not a.tokens or not b.tokens:
        return Verdict(False, "empty")
    if other_dispatch(
        lead_dateline(a.segmented, cfg.lead_sentences), lead_dateline(b.segmented, cfg.lead_sentences)
    ):
        # Each lead carries its dateline, and they name another place, agency or day: two dispatches,
        # whatever one repeats of the other (a follow-up from another bureau recaps the first story).
        return Verdict(False, "other-dispatch")
    # Below the lowest coverage any rule accepts, the pair is "different" whatever else is measured.
    least = min(cfg.copy_coverage, cfg.attributed_coverage)
    ev = alignment(a, b, cfg, min_coverage=least)
    if ev.coverage < least:
        if ev.coverage < cfg.skeleton_min_coverage or not _skeleton_match(a, b, cfg):
            return Verdict(False, "different", ev)
        # A spin rebuilt from the clauses up leaves few chains of words, but each sentence's names and
        # figures in order: measured in full, it is judged by the skeleton rule below.
        ev = alignment(a, b, cfg)
    if ev.lead_moved and (gap is None or gap <= cfg.update_window_days):
        # The lead sentence under another site's standfirst and caption: the lead, unless the two
        # are known to be days apart (a later story may repeat an earlier one's lead further down).
        ev = replace(ev, lead=True)
    if not ev.lead and not _body_kept(ev, gap, cfg) and not _skeleton_kept(a, b, ev, gap, cfg):
        # Whatever else they share (background paragraphs, a quote), their openings differ.
        return Verdict(False, "lead-differs", ev)
    within_update = gap is not None and gap <= cfg.update_window_days
    if not within_update and not (ev.lead and _wholly_kept(ev, cfg)) and _lead_figures_conflict(a, b, cfg):
        # The lead's count is the news ("706 people returned"); another text that never gives it
        # reports another event, unless it is a later version of the same hours (a toll updated).
        return Verdict(False, "lead-figures-differ", ev)
    if ev.figures_differ and ev.figures_differ * cfg.figures_differ_weight > ev.figures_agree:
        return Verdict(False, "figures-differ", ev)
    if ev.figures_differ and gap is not None and gap > cfg.update_window_days:
        return Verdict(False, "figures-differ-days-apart", ev)
    # Enough of it almost unchanged: a few sentences, or (a short copy: a flash, a lead and a link)
    # at least half of its sentence text.
    unchanged = ev.strong >= cfg.copy_strong_sentences or ev.strong_share >= cfg.copy_strong_share
    if attributed and ev.coverage >= cfg.attributed_coverage and (ev.strong or not ev.sentences):
        return Verdict(True, "attributed", ev)
    if ev.coverage >= cfg.copy_coverage and unchanged:
        return Verdict(True, "copy", ev)
    # A spun copy: hardly a sentence left as it was, but most of them re-edited in the same order.
    spun = ev.aligned >= max(cfg.spun_min_sentences, cfg.spun_aligned_share * ev.sentences)
    if ev.coverage >= cfg.copy_coverage and spun:
        return Verdict(True, "spun", ev)
    if _sentences_kept(ev, gap, cfg):
        return Verdict(True, "sentences-kept", ev)
    if _skeleton_kept(a, b, ev, gap, cfg):
        return Verdict(True, "skeleton", ev)
    if _first_take(ev, gap, cfg):
        return Verdict(True, "first-take", ev)
    return Verdict(False, "rewritten" if ev.coverage >= cfg.copy_coverage else "different", ev)


def _wholly_kept(ev: Alignment, cfg: FoldConfig) -> bool:
    """Is the shorter text the other one's body, nearly word for word? Then a count the other's lead
    adds (an editor's note on top of the same article: "the institute has since revised the magnitude
    to 6.1") does not make it another story: another event's report on an agency's template rewords
    the lead around its own count, which leaves more than a tenth of the shorter text out of chains,
    and does not repeat six sentences of this one with their figures."""
    return (
        ev.coverage >= cfg.whole_coverage
        and ev.strong >= cfg.whole_strong_sentences
        and ev.strong_share >= cfg.whole_coverage
        and ev.figures_agree >= cfg.whole_figures
        and not ev.figures_differ
    )


def _lead_figures_conflict(a: Features, b: Features, cfg: FoldConfig) -> bool:
    """Does one lead give a count that the other text never gives, while the other's lead does not
    vouch for it? Each lead's counts (see `lead_figures`) are looked for in the whole other text. Two
    events on one template each miss the other's count (625 / 706 people, magnitude 5.7 / 6.1), and a
    lead without a count says nothing either way. But a lead whose counts are all in the other text
    tells the same news: then a count missing from it only was left out (an excerpt that starts below
    the headline with the magnitude, an editor's note over the article)."""
    lead_a = lead_figures(a.segmented, cfg.currency_reach, cfg.lead_count_min)
    lead_b = lead_figures(b.segmented, cfg.currency_reach, cfg.lead_count_min)
    missing_a, missing_b = lead_a - b.figures, lead_b - a.figures
    if missing_a and missing_b:
        return True
    return bool(missing_a and not lead_b) or bool(missing_b and not lead_a)


def _body_kept(ev: Alignment, gap: float | None, cfg: FoldConfig) -> bool:
    """A copy whose lead was rewritten (a newspaper rewording an agency's or a press office's first
    sentence, a later take with a new top) keeps the rest of the story: most of the shorter text in
    chains, most of its sentences almost unchanged, its figures agreeing and none replaced, and it
    is not known to come days later (a story of another day reuses background, not the body)."""
    return (
        ev.coverage >= cfg.body_kept_coverage
        and ev.strong >= max(cfg.copy_strong_sentences + 1, cfg.body_kept_strong_share * ev.sentences)
        and ev.figures_agree >= cfg.body_kept_figures
        and not ev.figures_differ
        and (gap is None or gap <= cfg.update_window_days)
    )


def _skeleton_match(a: Features, b: Features, cfg: FoldConfig) -> bool:
    """Do the sentence skeletons of `a` and `b` match as the skeleton rule asks (lead included, no
    figure replaced)? Skeletons are cached per copy, and two texts sharing too few of their skeletons'
    names and figures are not compared sentence by sentence."""
    sa, sb = a.skeleton, b.skeleton
    shorter = min(len(sa), len(sb))
    need = max(cfg.skeleton_min_sentences, cfg.skeleton_share * shorter)
    if (
        shorter < cfg.skeleton_min_sentences
        or len(frozenset().union(*sa) & frozenset().union(*sb)) < 2 * need
    ):
        return False
    match = skeleton_in_order(sa, sb, cfg.skeleton_anchor_share)
    return match.lead_kept and not match.replaced and match.kept >= need


def _skeleton_kept(a: Features, b: Features, ev: Alignment, gap: float | None, cfg: FoldConfig) -> bool:
    """A heavily spun or reworded copy: its lead and a few re-edited sentences found, no figure
    replaced, and the sentence skeleton (each sentence's names and figures, sentences in order) kept
    for most of the shorter text (see `FoldConfig.skeleton_min_sentences`). A matched sentence with
    a figure replaced is an outlet's frame for another event when it is the lead (whose figures are
    the news) or when such sentences outweigh the others (each counting `figures_differ_weight`
    times, as for figures in chains); a later take's updated toll is one sentence of several."""
    if ev.figures_differ or ev.aligned < cfg.spun_min_sentences:
        return False
    if gap is not None and gap > cfg.update_window_days:
        return False
    sa, sb = a.skeleton, b.skeleton
    shorter = min(len(sa), len(sb))
    if shorter < cfg.skeleton_min_sentences:
        return False
    match = skeleton_in_order(sa, sb, cfg.skeleton_anchor_share)
    if match.lead_replaced or match.replaced * cfg.figures_differ_weight > match.kept - match.replaced:
        return False
    if not ev.lead and not match.lead_kept:
        return False
    return match.kept >= max(cfg.skeleton_min_sentences, cfg.skeleton_share * shorter)


def _sentences_kept(ev: Alignment, gap: float | None, cfg: FoldConfig) -> bool:
    """A copy re-edited inside its sentences (a later take of the same hours that adds a word or a
    date here and there, an editor trimming phrases), which breaks the word chains into pieces too
    short to count, so less of it is in chains than `copy_coverage` asks: the lead kept, and most of
    the shorter text, by words, in sentences almost unchanged (at least `copy_strong_share`, and one
    sentence more than `copy_strong_sentences`), no figure replaced, not known to be days apart.
    Two reports of one event, or a report borrowing another's quote or background paragraph, leave
    a sentence or two almost unchanged, not half of a text (measured on the labelled near misses
    whose leads align: at most 0.26 of the shorter text); another day's story on the same template
    replaces figures or comes days later."""
    return (
        ev.lead
        and ev.strong >= cfg.copy_strong_sentences + 1
        and ev.strong_share >= cfg.copy_strong_share
        and not ev.figures_differ
        and (gap is None or gap <= cfg.update_window_days)
    )


def _first_take(ev: Alignment, gap: float | None, cfg: FoldConfig) -> bool:
    """The shorter text is a wire's first take (a flash of a few sentences) and the other its later,
    fuller take of the same hours, which rewords the flash while adding to it (see
    `FoldConfig.first_take_sentences`)."""
    return (
        gap is not None
        and gap <= cfg.update_window_days
        and 0 < ev.sentences <= cfg.first_take_sentences
        and ev.lead
        and ev.coverage >= cfg.first_take_coverage
        and 2 * ev.aligned >= ev.sentences
        and ev.strong >= 1
        and ev.figures_agree >= 1
        and not ev.figures_differ
    )
