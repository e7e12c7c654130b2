"""Links between stories in different languages: a translation, or another language's report of the
same event. Never a fold: the analyst sees one story per language, each with "also reported in".

Words are no evidence across languages, so the decision rests on what every language writes alike
(see `anchors`): the figures, the names transliterated to one key, and the publication time. A wrong
link costs the analyst trust, so every condition must hold (see the link_* thresholds in config.py):
two events of one topic share its places and its years, but not its other figures, and rarely the
same people on the same days. Without a date on either side, nothing tells the days: such a pair
must agree on what only one event has (its own figures, its time of day and weekday, or many
names), and two undated copies are compared on the times the pipeline fetched them and on the
dates their openings state (see `dates`): another day stated is another event, the same one a
figure of the event.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rapidfuzz.distance import LCSseq

from newsmon.stories.compare import Features, gap_days
from newsmon.stories.config import FoldConfig
from newsmon.stories.dates import Stated, days_apart
from newsmon.stories.evidence import YEAR_RE


@dataclass(frozen=True)
class LinkVerdict:
    linked: bool
    rule: str
    score: float = 0.0  # shared anchors / the smaller side's anchors
    names: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()

    def describe(self) -> str:
        return (
            f"{self.rule}: {self.score:.2f} of anchors shared; names {', '.join(self.names) or '-'}; "
            f"figures {', '.join(self.figures) or '-'}"
        )


def _dates(f: Features) -> tuple[Stated, ...]:
    """The days `f` is about: those its text states, and its publication day if it is dated."""
    stated = f.stated_dates
    if f.published is None:
        return stated
    return (*stated, (f.published.year, f.published.month, f.published.day))


def _dates_meet(a: tuple[Stated, ...], b: tuple[Stated, ...], days: float) -> bool:
    """Is a date of `a` within `days` of a date of `b`?"""
    return any(days_apart(x, y) <= days for x in a for y in b)


def _distinct_figures(figures: tuple[str, ...]) -> Counter[str]:
    return Counter(f for f in figures if f != "0")


def _particular(figure: str) -> bool:
    """A figure that tells one event from another of its kind: no year, and no single digit (three
    buildings, three injured: a small count is said of every event and means something else each
    time)."""
    return not YEAR_RE.fullmatch(figure) and ("." in figure or len(figure) > 1)


def _is_clock(figure: str, minutes: frozenset[str]) -> bool:
    """Is `figure` (a normalised figure: "22.48") one of the clock times whose minutes are given?"""
    hour, _, minute = figure.partition(".")
    return len(minute) == 2 and minute in minutes and hour.isdigit() and int(hour) < 24


#: Minutes of a time a report may have rounded to: "shortly before 7.30", "vers 14h", "around 10:00".
ROUND_MINUTES = frozenset({"00", "30"})


def _exact_minutes(minutes: frozenset[str]) -> frozenset[str]:
    """The minutes of the clock times a text gives that are no round hour or half hour: a round time
    is often a report's own rounding of the moment ("peu avant 7h30" of a crash another report puts
    at 7.22am), so it does not contradict another minute (it still agrees with the same round time)."""
    return minutes - ROUND_MINUTES


def _same_moment(a: Features, b: Features, figures: list[str], cfg: FoldConfig) -> list[str]:
    """The figures with a decimal part both texts give (no clock time, none from a sentence naming a
    year), when they also give the same minute of the day and there are at least
    `link_moment_decimals` of them; else nothing. A clock time to the minute and measured figures
    (a magnitude and a depth) together are one event: another event of the kind at the same place
    has its own time and its own depth, even with the same magnitude."""
    shared = a.clocks & b.clocks
    if not shared:
        return []
    background = a.background_figures | b.background_figures
    clocks = a.clocks | b.clocks
    precise = [f for f in figures if "." in f and f not in background and not _is_clock(f, clocks)]
    return precise if len(precise) >= cfg.link_moment_decimals else []


def _exact_note(short: tuple[str, ...], other: tuple[str, ...], cfg: FoldConfig) -> bool:
    """Is `short` (a short note's figures, "#"-keyed, in order) a run of at least
    `link_note_figures` figures found whole and in order in `other`, `link_note_decimals` of them
    with a decimal part (a magnitude, a depth in kilometres and metres, a clock time)?

    A note of a few lines in a caseless script gives too few figures for a long run (see
    `compare_across`), but the exact ones it gives all reappear in another language's note on the
    same event; another event in the same place gives another time and depth, even when its
    magnitude or the background figures are the same."""
    if len(short) < cfg.link_note_figures or len(short) > len(other):
        return False
    decimals = sum(1 for k in short if "." in k)
    return decimals >= cfg.link_note_decimals and LCSseq.similarity(short, other) == len(short)


def compare_across(a: Features, b: Features, cfg: FoldConfig) -> LinkVerdict:
    """Are `a` and `b` (in different languages) reports of one event?"""
    if not a.base_lang or not b.base_lang or a.base_lang == b.base_lang:
        return LinkVerdict(False, "same-or-unknown-language")
    gap = gap_days(a.published, b.published)
    if gap is not None and gap > cfg.link_max_gap_days:
        return LinkVerdict(False, "time-gap")
    aa, ab = a.anchors, b.anchors
    names = sorted(set(aa.names) & set(ab.names))
    fig_a, fig_b = _distinct_figures(aa.figures), _distinct_figures(ab.figures)
    figures = sorted(fig_a & fig_b)
    if gap is None and a.published is None and b.published is None:
        # Neither is dated: each was fetched when its feed listed it as new, which is the time the
        # two have in common (a dated copy's date is its publisher's; a page fetched late is
        # older than its fetch time, so only two fetch times compare).
        fetched = gap_days(a.fetched, b.fetched)
        if fetched is not None and fetched > cfg.link_max_gap_days:
            return LinkVerdict(False, "time-gap")
    if gap is None:
        # No time to tell two events of one place and kind apart (an undated copy: a quake of the
        # same magnitude at the same town two months later, told by the same agency's template):
        # the pair must agree on what only one event has: figures of its own, or (a translation of a
        # text rich in names) more names than the places and officials of one region make.
        if _exact_minutes(a.clocks) and _exact_minutes(b.clocks) and not a.clocks & b.clocks:
            # Each gives the time of day to the minute and no minute agrees: two moments (the hour
            # is left out: local time, GMT and a 12-hour clock differ by whole hours).
            return LinkVerdict(False, "time-differs", 0.0, tuple(names), tuple(figures))
        if a.weekdays and b.weekdays and not a.weekdays & b.weekdays:
            # Each names the day of the week and no day agrees: two days.
            return LinkVerdict(False, "day-differs", 0.0, tuple(names), tuple(figures))
        dates_a, dates_b = _dates(a), _dates(b)
        if dates_a and dates_b and not _dates_meet(dates_a, dates_b, cfg.link_max_gap_days):
            # Each states dates (or one is dated) and none of one is within `link_max_gap_days` of
            # one of the other's: two events, as a time gap says of two dated copies.
            return LinkVerdict(False, "date-differs", 0.0, tuple(names), tuple(figures))
        background = a.background_figures | b.background_figures
        particular = [f for f in figures if _particular(f) and f not in background]
        # The same time of day, however written ("22:48", "10.48 pm"), is one figure of the event,
        # and so is the same day of the week.
        same_time = 1 if a.clocks & b.clocks and not any(_is_clock(f, a.clocks) for f in particular) else 0
        same_day = 1 if a.weekdays & b.weekdays else 0
        # The first date each text states is the day of its event (a date recalled later is
        # history: "the quake of 10 August"); the same one is the same day, which names the weekday.
        # Its day of the month is then no other figure of the event.
        lead_a, lead_b = a.stated_dates[:1], b.stated_dates[:1]
        same_date = 0
        if lead_a and lead_b and _dates_meet(lead_a, lead_b, 0):
            same_date = 1
            particular = [f for f in particular if f != str(lead_a[0][2])]
        shared = len(particular) + same_time + max(same_day, same_date)
        if shared < cfg.link_undated_figures and len(names) < cfg.link_undated_names:
            return LinkVerdict(False, "undated-few-figures", 0.0, tuple(names), tuple(particular))
    in_order = LCSseq.similarity(aa.sequence, ab.sequence)
    shorter = min(len(aa.sequence), len(ab.sequence))
    if (
        len(names) >= cfg.link_min_names
        and in_order >= cfg.link_min_in_order
        and in_order >= cfg.link_in_order_share * shorter
    ):
        # A translation: most of one text's names and figures, in the same order, in the other.
        return LinkVerdict(True, "same-sequence", in_order / shorter, tuple(names), tuple(figures))
    if not aa.names or not ab.names:
        # A caseless script (Arabic, Persian, Hebrew...) has no capitals to find names by (see
        # `anchors`), so its side gives figures only: a translation is then a long run of the same
        # figures in the same order, which two events of one topic in the same days do not share.
        seq_a = tuple(k for k in aa.sequence if k.startswith("#"))
        seq_b = tuple(k for k in ab.sequence if k.startswith("#"))
        run = LCSseq.similarity(seq_a, seq_b)
        events = [f for f in figures if not YEAR_RE.fullmatch(f)]
        if (
            len(events) >= cfg.link_min_figures
            and run >= cfg.link_min_in_order
            and run >= cfg.link_in_order_share * min(len(seq_a), len(seq_b))
        ):
            return LinkVerdict(True, "same-figures", run / min(len(seq_a), len(seq_b)), (), tuple(figures))
        if _exact_note(seq_a, seq_b, cfg) or _exact_note(seq_b, seq_a, cfg):
            return LinkVerdict(True, "same-figures", 1.0, (), tuple(figures))
    moment = _same_moment(a, b, figures, cfg)
    if moment and (names or not aa.names or not ab.names):
        # The same minute of the day and the same measured figures (a magnitude and a depth, a
        # speed and a toll with decimals): one event, however few names a transliteration leaves
        # alike ("Стамбул" / "İstanbul") or a caseless script gives.
        return LinkVerdict(True, "same-moment", 1.0, tuple(names), tuple(moment))
    if len(names) < cfg.link_min_names:
        return LinkVerdict(False, "few-names", 0.0, tuple(names), tuple(figures))
    if len(figures) < cfg.link_min_figures or all(YEAR_RE.fullmatch(f) for f in figures):
        return LinkVerdict(False, "few-figures", 0.0, tuple(names), tuple(figures))
    keys_a = set(aa.names) | set(fig_a)
    keys_b = set(ab.names) | set(fig_b)
    share = (len(names) + len(figures)) / min(len(keys_a), len(keys_b))
    linked = share >= cfg.link_min_share
    return LinkVerdict(linked, "same-event" if linked else "few-shared", share, tuple(names), tuple(figures))
