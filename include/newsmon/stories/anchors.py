"""Anchors: the figures and names of a text, in a form that is the same in every language and script.

A translation or another language's report of one event shares almost no words with the original,
but it names the same people and places and gives the same figures. Names are written in another
script or spelling ("Yermak", "Ермак", "Jermak"), so each name is transliterated to Latin letters
(anyascii) and reduced to a consonant key that absorbs the usual spelling differences (y/j/i, k/c/q,
doubled letters, vowels, Russian case endings); figures are already language-independent once digits
of every script are read as ASCII (see `evidence.tokens`).

A spinner swaps common words but leaves names and figures alone, so the same anchors also find spun
copies in the same language: they feed a second set of LSH buckets (see `fingerprints.anchor_bands`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from text_to_num import alpha2digit  # type: ignore[import-untyped]  # ships no py.typed

from newsmon.stories.evidence import (
    CURRENCY_WORDS,
    NUMBER_PATTERN,
    YEAR_RE,
    Segmented,
    number_key,
    tokens,
)


def _upper_ranges() -> list[tuple[int, int]]:
    """The upper-case letters, as ranges of code points (first, last)."""
    ranges: list[list[int]] = []
    for code in range(0x1F000):  # no upper-case letter lies beyond (Adlam, U+1E900-U+1E921, is the last)
        ch = chr(code)
        if ch.isupper() and ch.isalpha():
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return [(a, b) for a, b in ranges]


def _char_class(ranges: list[tuple[int, int]]) -> str:
    """A character class of the code point ranges: Python's `re` has no \\p{Lu}, and the `regex`
    module's, in the same pattern, read the same words 40% slower (1,824 texts, best of 3)."""
    spans = (re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)
    return "[" + "".join(spans) + "]"


_UPPER_RANGES = _upper_ranges()
_UPPER = _char_class(_UPPER_RANGES)
# A word that may be a name: a capitalised word of any cased script that starts a token (not "Israel"
# of "anti-Israel"), with an elided article or preposition glued before it ("l'Afghanistan"). Only
# these are read: a text's other words, nine in ten, are never looked at.
_CANDIDATE_RE = re.compile(rf"(?<!\w)(?<!\w[-'’])(?:[^\W\d_]{{1,4}}['’](?={_UPPER}))?{_UPPER}[\w'’-]*")
# Upper-case letters are looked for in two classes: `re` tests a character against a class's letters of
# the Basic Multilingual Plane in one table look-up, but against each range beyond it in turn (41 of
# them), which made a scan of the whole class ten times as long. Letters beyond it are rare (Deseret,
# Adlam, mathematical capitals); only a text with characters there is scanned for them.
_UPPER_BMP_RE = re.compile(_char_class([(a, min(b, 0xFFFF)) for a, b in _UPPER_RANGES if a <= 0xFFFF]))
_UPPER_ASTRAL_RE = re.compile(_char_class([(max(a, 0x10000), b) for a, b in _UPPER_RANGES if b > 0xFFFF]))
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")


def _upper_letters(text: str) -> list[int]:
    """Where the text's upper-case letters are, in text order."""
    found = [m.start() for m in _UPPER_BMP_RE.finditer(text)]
    if not text.isascii():
        astral = [m.start() for m in _ASTRAL_RE.finditer(text) if _UPPER_ASTRAL_RE.match(text, m.start())]
        if astral:
            found = sorted(found + astral)
    return found


def _candidates(text: str) -> Iterator[re.Match[str]]:
    """`_CANDIDATE_RE.finditer(text)`, with the pattern tried only where a match can start: at an
    upper-case letter, or up to five characters before one that follows an apostrophe (an elided
    article). Run over the whole text, the pattern's look-behinds were tried at every character, most
    of the time `anchors` took."""
    starts: set[int] = set()
    for at in _upper_letters(text):
        starts.add(at)
        if at >= 2 and text[at - 1] in "'’":
            starts.update(range(max(0, at - 5), at - 1))
    end = 0
    for at in sorted(starts):
        if at >= end and (match := _CANDIDATE_RE.match(text, at)):
            end = match.end()
            yield match


# A figure as the tokenizer reads it (see `evidence.tokens`).
_NUMBER_RE = re.compile(NUMBER_PATTERN)
# What comes right before a word that opens a sentence (a capital there says nothing).
_OPENS_SENTENCE_RE = re.compile(r"(?:^|[.!?…:;\"“”«»„()\[\]–—-]\s*|\n\s*)$")
# An elided article or preposition glued to the next word (French, Italian, Catalan: l'Afghanistan,
# d'Haïti, dell'Onu, all'Iran, qu'Israël): the name is what follows the apostrophe.
_ELIDED_RE = re.compile(r"[^\W\d_]{1,4}['’](?=[^\W\d_])")
# Consonant-key rules, applied in order to the lower-case Latin spelling.
_DIGRAPHS = (
    ("tsch", "k"),
    ("tch", "k"),
    ("sch", "s"),
    ("sh", "s"),
    ("ch", "k"),
    ("kh", "k"),
    ("ph", "f"),
    ("th", "t"),
    ("ts", "s"),
)
_LETTER_MAP = str.maketrans({"c": "k", "q": "k", "g": "k", "z": "s", "x": "s", "w": "v", "f": "v", "p": "b"})
_VOWELS_RE = re.compile(r"[aeiouyjhw]")
#: Consonants of a name kept in its key: enough to tell names apart, few enough that an inflected
#: ending (Ермака / Ермаком) or a transliteration variant at the end does not change it.
NAME_KEY_CONSONANTS = 3


# A clock time as reports write it: "22:48", "22h48", "19 h 53", "22.48 Uhr", "10.48 pm", "1948GMT",
# "alle 22.48", "saat 00.24", "στις 00.24", "الساعة 00.24". The dotted form only with a word saying
# it is a time (else it is a decimal: a depth of 22.48 km).
_CLOCK_RE = re.compile(
    r"(?<![\d.,:])(?:"
    r"([01]?\d|2[0-3])\s?[:h]\s?([0-5]\d)(?![\d:])"
    r"|([01]?\d|2[0-3])\.([0-5]\d)(?=\s?(?:Uhr|uhr|h\b|[ap]\.?m\b|GMT|UTC|ч\b))"
    r"|([01]\d|2[0-3])([0-5]\d)\s?(?=GMT|UTC)"
    r")"
    r"|\b(?:saat|alle|ore|um|at|às|à|a las|в|στις|الساعة|ساعت|בשעה)\s+([01]?\d|2[0-3])\.([0-5]\d)"
    r"(?![\d.,]|\s?(?:km|kilo|mi|m\b|%))",
)


def clock_minutes(text: str) -> frozenset[str]:
    """The minutes of the clock times a text gives ("22:48" and "19h48 GMT" both give "48"). The hour
    is left out: one report gives the local time, another GMT or the reader's own zone, or a 12-hour
    clock ("10.48 pm"); time zones differ by whole hours, so the same moment keeps its minutes."""
    out = set()
    for m in _CLOCK_RE.finditer(unicodedata.normalize("NFKC", text)):
        minutes = next(g for g in m.groups()[1::2] if g is not None)
        out.add(minutes)
    return frozenset(out)


# Greek writes the d, b, g and j of other languages' names as consonant pairs: Ντέιβις (Davis),
# Μπάιντεν (Biden), Γκρέιτον (Grayton), Τζόνσον (Johnson); read letter by letter they would give
# "nt", "mp", "gk", "tz". Read as the sound they stand for, the keys agree with the Latin spelling.
_GREEK_RE = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")
_GREEK_DIGRAPHS = {"ντ": "d", "μπ": "b", "γκ": "g", "τζ": "j"}
_GREEK_DIGRAPHS_RE = re.compile("|".join(_GREEK_DIGRAPHS), re.IGNORECASE)


# The days of the week in the languages newsmon reads, by the stem each form starts with (1 Monday
# ... 7 Sunday). Left out where the word is also a common one: Portuguese "segunda" without "-feira"
# (second), Russian "среда" (environment, but "в среду" is Wednesday), Turkish "pazar" (market) and
# "cuma" (Friday prayers), Arabic "الجمعة" (Friday prayers too). Arabic names the day with its
# article ("السبت", Saturday).
_WEEKDAYS = {
    1: "monday lundi montag lunes lunedì lunedi segunda-feira понедельник pazartesi δευτέρα maandag الاثنين",
    2: "tuesday mardi dienstag martes martedì martedi terça-feira terça вторник salı τρίτη dinsdag الثلاثاء",
    3: "wednesday mercredi mittwoch miércoles miercoles mercoledì mercoledi quarta-feira çarşamba "
    "τετάρτη woensdag الأربعاء",
    4: "thursday jeudi donnerstag jueves giovedì giovedi quinta-feira четверг perşembe πέμπτη donderdag "
    "الخميس",
    5: "friday vendredi freitag viernes venerdì venerdi sexta-feira пятниц παρασκευή vrijdag",
    6: "saturday samedi samstag sonnabend sábado sabado sabato суббот cumartesi σάββατο zaterdag السبت",
    7: "sunday dimanche sonntag domingo domenica воскресень κυριακή zondag الأحد",
}
_WEEKDAY_RE = re.compile(
    r"(?<![\w-])(?:(в среду)|"
    + "|".join(f"({'|'.join(re.escape(w) for w in words.split())})" for words in _WEEKDAYS.values())
    + r")",
    re.IGNORECASE,
)


def weekdays(text: str) -> frozenset[int]:
    """The days of the week a text names (1 Monday ... 7 Sunday), as "on Sunday", "dimanche",
    "am Sonntagabend", "в воскресенье", "Κυριακή": the day of an event, which another event of the
    same kind at the same place has only one time in seven."""
    out = set()
    for m in _WEEKDAY_RE.finditer(unicodedata.normalize("NFKC", text)):
        if m.group(1):
            out.add(3)
        else:
            out.add(next(i for i, g in enumerate(m.groups()[1:], 1) if g))
    return frozenset(out)


@lru_cache(maxsize=65536)
def name_key(word: str) -> str:
    """The consonant key of a name: "Yermak", "Ермак", "Ермаком" and "Jermak" all give "rmk"."""
    word = unicodedata.normalize("NFKC", word)
    if _GREEK_RE.search(word):
        word = _GREEK_DIGRAPHS_RE.sub(lambda m: _GREEK_DIGRAPHS[m.group(0).lower()], word)
    latin = anyascii(word).lower()
    latin = "".join(ch for ch in latin if "a" <= ch <= "z")
    if not latin:
        return ""
    for digraph, single in _DIGRAPHS:
        latin = latin.replace(digraph, single)
    consonants = _VOWELS_RE.sub("", latin.translate(_LETTER_MAP))
    collapsed = "".join(ch for i, ch in enumerate(consonants) if i == 0 or ch != consonants[i - 1])
    return collapsed[:NAME_KEY_CONSONANTS]


@dataclass(frozen=True)
class Anchors:
    """A text's figures (normalised, money amounts left out) and name keys, each in text order."""

    figures: tuple[str, ...]
    names: tuple[str, ...]
    #: Names and figures ("#" + figure) together, in text order: a translation keeps their order.
    sequence: tuple[str, ...] = ()

    @property
    def keys(self) -> frozenset[str]:
        """The set the anchor buckets are built on: names, and figures that are more than a digit
        (single digits are in every article and would only crowd the buckets)."""
        return frozenset(self.names) | frozenset("#" + f for f in self.figures if len(f) > 1)

    def lead(self, n: int, *, figures_only: bool = False) -> tuple[str, ...]:
        """The first `n` distinct keys (see `keys`) in text order, years left out: the names and
        figures of the lead, which every translation and every shortened version of a text keeps,
        whatever else the longer one goes on to name (the pair buckets, `fingerprints.lead_pair_buckets`).
        A year is in every other story of its time, so it would only make the pairs common.
        `figures_only`: the first `n` figures, however many names come before them (a note in a
        caseless script gives no names, and German capitalises every noun)."""
        keys = self.keys
        out: list[str] = []
        for key in self.sequence:
            if figures_only and key[0] != "#":
                continue
            if key in keys and key not in out and not YEAR_RE.fullmatch(key, 1):
                out.append(key)
                if len(out) == n:
                    break
        return tuple(out)


#: Languages whose figures written as words ("four women", "vier Frauen") text2num reads as digits.
WORD_FIGURE_LANGS = frozenset({"en", "fr", "es", "pt", "de", "it", "nl", "da"})


def figures_as_digits(text: str, lang: str | None) -> str:
    """The text with figures written as words turned into digits, where text2num reads the language:
    one report writes "four women", another "4 Frauen", and figures are the anchors that tell events
    apart. Small isolated numbers stay words (text2num's default: "one of them" is no figure)."""
    if lang not in WORD_FIGURE_LANGS:
        return text
    try:
        return str(alpha2digit(text, lang))
    except (ValueError, RuntimeError):  # a library failure costs the word figures, not the copy
        return text


def anchors(
    text: str,
    *,
    min_name_chars: int = 3,
    currency_reach: int = 2,
    toks: list[str] | None = None,
    lang: str | None = None,
) -> Anchors:
    """The text's anchors. A name is a capitalised word that does not open a sentence (so a caseless
    script such as Arabic contributes figures only); words of a handful of letters are too common in
    capitals ("The", "Он") to be names, hence `min_name_chars` on the transliterated key's source.
    `toks` may be passed when the caller has `tokens(text)` already; `lang` (base code) turns
    figures written as words into digits first (see `figures_as_digits`)."""
    converted = figures_as_digits(text, lang)
    if converted != text:
        text, toks = converted, None
    text = unicodedata.normalize("NFKC", text)
    names: list[str] = []
    placed: list[tuple[int, str]] = []  # (where, key) of names, for the sequence
    for match in _candidates(text):
        word = match.group(0)
        elided = _ELIDED_RE.match(word)
        if elided:
            # "l'Afghanistan": the name follows the article, even one opening a sentence ("L'Union").
            word = word[elided.end() :]
        if not word[0].isupper():
            continue
        if not elided and _OPENS_SENTENCE_RE.search(text, max(0, match.start() - 3), match.start()):
            continue
        word = word.strip("'’-")
        if len(word) < min_name_chars:
            continue
        key = name_key(word)
        if len(key) >= 2:
            names.append(key)
            placed.append((match.start(), key))
    toks = tokens(text) if toks is None else toks
    figures = []
    for i, tok in enumerate(toks):
        if not tok[0].isdigit():
            continue
        lo, hi = max(0, i - currency_reach), min(len(toks), i + currency_reach + 1)
        if any(toks[j] in CURRENCY_WORDS for j in range(lo, hi)):
            continue
        figures.append(tok)
    return Anchors(tuple(figures), tuple(names), _sequence(text, placed, set(figures)))


def _sequence(text: str, names: list[tuple[int, str]], figures: set[str]) -> tuple[str, ...]:
    """Names and figures in text order (figures located by their first digit run in the text)."""
    placed = list(names)
    for match in _NUMBER_RE.finditer(text):
        key = number_key(match.group(0))
        if key in figures:
            placed.append((match.start(), "#" + key))
    return tuple(key for _, key in sorted(placed))


def skeleton(seg: Segmented, min_anchors: int = 2, min_name_chars: int = 3) -> tuple[frozenset[str], ...]:
    """The sentence skeleton of a text: for each sentence of its running text with at least
    `min_anchors` anchors, the set of its names (consonant keys) and figures ("#" + figure), in order.

    A spinner swaps a sentence's common words and an editor rewords it, but both leave its names and
    figures in it and the sentences in their order; two reports of one event share the anchors but
    group them into sentences and order those sentences each in its own way."""
    prose = set(seg.content)
    flags = seg.anchors if len(seg.anchors) == len(seg.tokens) else (False,) * len(seg.tokens)
    out: list[frozenset[str]] = []
    for s, e in seg.spans:
        if (s, e) not in prose:
            continue
        keys: set[str] = set()
        for i in range(s, e):
            if not flags[i]:
                continue
            tok = seg.tokens[i]
            if tok[0].isdigit():
                keys.add("#" + tok)
            elif len(tok) >= min_name_chars and len(key := name_key(tok)) >= 2:
                keys.add(key)
        if len(keys) >= min_anchors:
            out.append(frozenset(keys))
    return tuple(out)


@dataclass(frozen=True)
class SkeletonMatch:
    """Sentences of one skeleton matched in order in another (see `skeleton_in_order`)."""

    kept: int  # sentences matched in order
    replaced: int  # ...of which replace a figure (each side has a figure the other lacks)
    lead_replaced: bool  # ...one of them being the first sentence of either skeleton (the lead)
    #: The first sentence of one skeleton matched, replacing no figure, to the first or second of the
    #: other (a standfirst or a dateline line may come first): the lead, told with its own words.
    lead_kept: bool = False


def skeleton_in_order(
    a: tuple[frozenset[str], ...], b: tuple[frozenset[str], ...], share: float
) -> SkeletonMatch:
    """The sentences of skeleton `a` that match one of `b` in the same order (longest common
    subsequence). Two sentences match when they share at least 2 anchors and at least `share` of the
    anchors of the one with more. A matched pair replaces a figure when each side has a figure the
    other lacks: the same sentence frame for another event, or a toll updated by a later take; a
    figure only added (a conversion in brackets) replaces nothing."""
    if not a or not b:
        return SkeletonMatch(0, 0, False, False)
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            if _sentences_match(x, y, share):
                table[i + 1][j + 1] = table[i][j] + 1
            else:
                table[i + 1][j + 1] = max(table[i][j + 1], table[i + 1][j])
    replaced = 0
    lead_replaced = lead_kept = False
    i, j = n, m
    while i and j:
        if _sentences_match(a[i - 1], b[j - 1], share) and table[i][j] == table[i - 1][j - 1] + 1:
            x, y = a[i - 1], b[j - 1]
            if any(k[0] == "#" for k in x - y) and any(k[0] == "#" for k in y - x):
                replaced += 1
                lead_replaced = lead_replaced or i == 1 or j == 1
            elif min(i, j) == 1 and max(i, j) <= 2:
                lead_kept = True
            i, j = i - 1, j - 1
        elif table[i - 1][j] >= table[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return SkeletonMatch(table[n][m], replaced, lead_replaced, lead_kept and not lead_replaced)


def _sentences_match(x: frozenset[str], y: frozenset[str], share: float) -> bool:
    common = len(x & y)
    return common >= 2 and common >= share * max(len(x), len(y))
