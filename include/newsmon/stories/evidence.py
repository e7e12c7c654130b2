"""Evidence that two texts are copies of one article, which survives editing, spinning and cutting.

Two copies of one article keep its *sequence*: the same sentences in the same order, each perhaps
re-edited or with synonyms swapped, the same figures in the same places. Two reports of one event
share names, figures and perhaps a quote or a background paragraph, but not the sequence. So the
evidence here is about aligned order, computed with rapidfuzz (C, bit-parallel):

- word chains: the longest common subsequence of the two word lists, cut into chains wherever either
  side skips more than a few words. A verbatim or lightly edited copy is one long chain; a spun copy
  is a long chain with one-word holes (each swapped synonym); two writers' own words leave only
  scattered common words, which never form a long chain. `coverage` is the share of the shorter
  text's words inside chains: excerpts cut at different places and leads-only copies cover the
  shorter text, which is why it is measured on that side.
- sentences: each sentence of the shorter text against every sentence of the other (character-level
  similarity, so a spun or re-edited sentence still scores high), and its share of words inside
  chains (so a sentence split in two or joined to the next still counts). A copy has several
  sentences that are almost unchanged (`strong`), or, when short, most of its text in them; two
  independent translations or rewrites of one statement do not, even where they share many words.
- the lead: a copy keeps the article's lead, near the other copy's opening. The body of a text
  starts at its first prose sentence (headline, teaser and caption lines before it are each
  republisher's own); the lead sentence of one of the two texts must be found, in a chain of its
  own alignment with its names and figures, in the other's opening stretch. Two stories sharing
  background paragraphs align only after their leads; a follow-up that recaps yesterday's lead does
  so in its second half; an outlet's template for another event replaces the lead's names and
  figures at every gap of the chain.
- numbers inside the chains: agreeing figures are evidence, a figure replaced by another inside an
  aligned passage is the mark of the same template used for another event. Amounts next to a currency
  are left out: regional editions convert them (CHF vs EUR), and that does not make another story.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import regex  # type: ignore[import-untyped]  # no stubs installed (types-regex is not a dependency)
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

# Currency signs become a word, so they survive tokenising and mark the amount next to them. Replaced
# by a pattern rather than `str.translate`, which maps a non-ASCII text character by character in
# Python objects: ten times as long on a Russian article (0.5 ms), where the pattern skips to the signs.
_CURRENCY_SIGN_RE = re.compile("[$€£¥₽₣₺₹₴₸]")
#: Words that name a currency (ISO codes and the common names in the languages newsmon reads).
_CURRENCY_TEXT = """
¤ chf eur usd gbp rub sek nok dkk pln czk huf try jpy cny aed sar egp uah kzt
fr sfr franc francs franken franchi franco euro euros dollar dollars dólar dólares dollaro dollari
pound pounds sterling livre livres libra libras pfund rouble roubles ruble rubles rubel
рубль рубля рублей евро доллар доллара долларов франк франка франков фунт фунтов гривна гривен
тенге دولار يورو فرنك جنيه ريال درهم
"""
CURRENCY_WORDS = frozenset(_CURRENCY_TEXT.split())
#: A figure as one token: a clock time ("22:48", "19h53", written "22.48" elsewhere: one figure), or
#: a number with its thousands or decimal separators, including the Swiss apostrophe ("53'000",
#: which another edition of the same text writes "53.000" or "53 000"). Written to start with its
#: first digit (rather than as "\d{1,2}[:h]...|\d+..."): `re` then skips to the next digit when it
#: scans a text for figures alone, a fourth of the time (`anchors` finds them this way).
NUMBER_PATTERN = r"\d(?:\d?[:h]\d{2}(?![\d:])|\d*(?:[.,  ]\d+|['’]\d{3}(?!\d))*)"
#: A figure that is a year: in every story of its time, so no evidence of one event or one text.
YEAR_RE = re.compile(r"(?:19|20)\d\d")
#: Kana and Han ideographs: Japanese and Chinese write words without spaces between them, so a run of
#: them is a clause, not a word. Each character is a token of its own: a re-edited clause then still
#: aligns character by character, as an alphabet's words do (Hangul is left out: Korean spaces its
#: words).
DENSE_LETTERS = "\u3040-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A number, a kana or Han character, or a word; digits glued to letters are a figure of their own
# ("العمر33", "A61").
_WORD_TOKEN_RE = re.compile(NUMBER_PATTERN + r"|[^\W\d]+")
# ...the same for a text with kana or Han in it (the character class costs, so only there).
_DENSE_TOKEN_RE = re.compile(NUMBER_PATTERN + r"|[" + DENSE_LETTERS + r"]|[^\W\d" + DENSE_LETTERS + r"]+")
_DENSE_GAP_RE = re.compile(r"(?<=[" + DENSE_LETTERS + r"]) (?=[" + DENSE_LETTERS + r"])")
#: A kana or Han character (see `DENSE_LETTERS`).
DENSE_LETTER_RE = re.compile(r"[" + DENSE_LETTERS + r"]")


def joined(toks: list[str]) -> str:
    """Tokens as the text sentence similarity reads: joined by spaces, but kana and Han characters
    (one token each) without the spaces between them, which would make any two such sentences half
    alike."""
    text = " ".join(toks)
    return text if text.isascii() else _DENSE_GAP_RE.sub("", text)


def _sorted_words(toks: list[str]) -> str:
    """A sentence's words in sorted order (see `sentence_scores`); a sentence in kana and Han is read
    in its own order, as its sorted characters would make any two sentences of one topic alike."""
    text = " ".join(toks)
    if text.isascii() or not DENSE_LETTER_RE.search(text):
        return " ".join(sorted(toks))
    return _DENSE_GAP_RE.sub("", text)


# A sentence ends at . ! ? … (Latin, Arabic, CJK forms) before a space (after a CJK full stop, also
# straight before the next sentence: those scripts put no space there), at a line break, or where a
# lower-case word's or a bracket's full stop runs straight into a capital, perhaps one opening a
# quote ("...Darmanin..A detenção", "...(AFAD).\"В Сындыргы": paragraph breaks an extractor or a
# republisher lost). Not after an abbreviation's full stop: a single letter
# (initials, "U.S.", "p.m.", "В. Путин") or a capitalised word of two or three letters ("Gov.",
# "Lt.", "Col.", "Dr.", "Jan."); cutting there made "WASHINGTON (AP) — The U.S." a wire story's lead.
# A sentence that really ends in such a word is joined to the next one, which costs little.
_SENTENCE_PATTERN = (
    r"(?<=[.!?…؟。！？])(?<!\b\p{L}\.)(?<!\b\p{Lu}\p{Ll}{1,2}\.)\s+|\s*\n\s*"
    r"|(?<=(?:\p{Ll}{2}|\))[.!?…]+)(?=[\"“„«]?\p{Lu})"
)
_SENTENCE_RE = regex.compile(_SENTENCE_PATTERN)
# ...and in a text with CJK full stops (the extra branch is tried at every character, so only there).
_CJK_STOPS = "。！？"
_CJK_SENTENCE_RE = regex.compile(_SENTENCE_PATTERN + r"|(?<=[。！？])(?=[^\s」』）)])")
# Where a cut can start (see `_cuts`): right after a sentence's stop, or where the white space before a
# line break starts.
_STOP_RE = re.compile("[.!?…؟。！？]")
_SPACE_CHAR_RE = regex.compile(r"\s")


# How a sentence of running text ends (a headline or teaser line usually has no full stop):
# `[.!?…؟。！？]["'”’»)\]]*\s*$`, read from the end (see `_ends_as_prose`).
_STOPS = ".!?…؟。！？"
_CLOSERS = "\"'”’»)]"


def _ends_as_prose(text: str) -> bool:
    """Does the text end with a stop, perhaps before closing quotes or brackets and white space? Read
    from its end: the pattern, searched for, was tried at every character of every sentence. (`rstrip`
    drops what `re` reads as white space, and stops, closers and white space have no character in
    common.)"""
    head = text.rstrip().rstrip(_CLOSERS)
    return bool(head) and head[-1] in _STOPS


# A wire dateline opening a sentence: the place (a few capitalised words: city, region, country),
# perhaps the date, and the agency's tag in brackets or slashes, or after a dash when a date came
# first: "MANILA, Philippines (AP) -", "MADRID 7 Nov. (EUROPA PRESS) -", "GROZNY, December 30.
# /TASS/.", "Valencia, 17 sep (EFE).-", "СТАМБУЛ, 10 авг - РИА Новости.". Republishers keep it or
# drop it, so it is no part of the lead sentence a copy is compared on.
_DATELINE_RE = regex.compile(
    r"""^\s*\p{Lu}[\p{L}.'’-]*(?:(?:[ ,]+|/)\p{Lu}[\p{L}.'’-]*){0,4}
    (?:
        (?:[ ,]+(?:\d{1,2}\.?\s*\p{L}{2,10}|\p{L}{3,10}\s+\d{1,2})\.?)?
        \s*[(/]\s*\p{Lu}[\p{L} .&-]{0,30}?[)/]\s*[.,]?\s*[-—–:.]
      | [ ,]+(?:\d{1,2}\.?\s*\p{L}{2,10}|\p{L}{3,10}\s+\d{1,2})\.?\s*[-—–]\s*\p{Lu}[\p{L} ]{1,30}\.
    )
    \s*[-—–:.]*\s*""",
    regex.VERBOSE,
)

# A line break inside a sentence: a hard-wrapped text (an agency's fixed-width lines, a mail) breaks
# lines mid-sentence, where the next line goes on in lower case; headlines, menu entries and
# paragraphs start with a capital (or, in a caseless script, are not told apart: left as they are).
# The break joined is `(?<=[\w,)])[ \t]*\n[ \t]*(?=\w)`, the word after it in lower case or a digit. That
# pattern, run as one, was tried at every character of the text; `_unwrap` goes from line break to line
# break and looks at the characters around each (97 -> 8 us a pipeline-bench article, 42 -> 8 us a text
# of the labelled sets).
_LINE_BREAK_RE = re.compile(r"\n[ \t]*")
_BEFORE_BREAK_RE = re.compile(r"[\w,)]")
_WORD_CHAR_RE = re.compile(r"\w")


def _unwrap(text: str) -> str:
    """The text with the line breaks of hard-wrapped sentences made spaces (see `_LINE_BREAK_RE`)."""
    if "\n" not in text:
        return text
    out: list[str] = []
    done = 0  # text[:done] is in `out`
    for m in _LINE_BREAK_RE.finditer(text):
        start, end = m.start(), m.end()
        while start and text[start - 1] in " \t":
            start -= 1
        if not start or not _BEFORE_BREAK_RE.match(text, start - 1) or not _WORD_CHAR_RE.match(text, end):
            continue
        after = text[end]
        if after.islower() or after.isdigit():
            out += (text[done:start], " ")
            done = end
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


# What every dateline has in its first characters (a bracket, a slash or a dash): the cheap test
# before the pattern.
_DATELINE_MARKS = re.compile(r"[(/\-—–]")

# A copyright notice is the site's, not the story's, whatever its punctuation.
_NOTICE_RE = re.compile(r"©|\bcopyright\b|\ball rights reserved\b", re.IGNORECASE)


def _is_notice(part: str) -> bool:
    if "©" in part:
        return True
    maybe = "opyright" in part or "OPYRIGHT" in part or "eserved" in part or "ESERVED" in part
    return maybe and _NOTICE_RE.search(part) is not None


# An embedded social-media post, as a page's text keeps it: the post's text with its picture link
# ("... pic.twitter.com/jUIkbplVi2"), the embed's signature after a dash ("— Vatican News
# (@VaticanNews) April 21, 2025", on the post's line or a line of its own), or an Instagram embed's
# caption line. A post's address alone on a line is no sentence of the running text already; inside
# a paragraph it is as often the reporter citing it, so it marks nothing.
_POST_RE = re.compile(
    r"pic\.twitter\.com/\w"
    r"|(?:^|\s)[—–-][ \t]*[^\n()]{1,60}\(@\w{1,30}\)[^\n]{0,40}?\b(?:19|20)\d\d\b"
    r"|^[ \t]*(?:A post shared by|View this post on Instagram)\b",
    re.IGNORECASE | re.MULTILINE,
)
#: The longest post `_post_lines` reads back from its link or signature (characters): an X post's.
POST_CHARS = 280
# What every post line has (the cheap test before the pattern).
_POST_MARKS = ("pic.twitter", "(@", "post shared", "Instagram")


def _post_lines(text: str) -> list[tuple[int, int]]:
    """The character ranges of `text` that are an embedded social-media post (see `_POST_RE`): the
    post's words are its author's, which every outlet reporting the event embeds alike, so they are
    no evidence that two texts are copies of one article, nor a lead. A post runs from its line's
    start to its line's end, but no further back than a post's length (`POST_CHARS`) before its
    link or signature: an extractor that lost the paragraph breaks puts the outlet's own sentences
    on the post's line."""
    if not any(mark in text for mark in _POST_MARKS):
        return []
    out: list[tuple[int, int]] = []
    for m in _POST_RE.finditer(text):
        lo = text.rfind("\n", 0, m.start()) + 1
        post_end = m.start()
        if "(@" in m.group(0) and not text[lo:post_end].strip():
            # A signature on a line of its own signs the line above it: the post's text.
            post_end = len(text[:lo].rstrip())
            lo = text.rfind("\n", 0, post_end) + 1
        lo = max(lo, post_end - POST_CHARS)
        hi = text.find("\n", m.end())
        hi = len(text) if hi < 0 else hi
        if out and lo <= out[-1][1]:
            out[-1] = (min(lo, out[-1][0]), max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out


def number_key(token: str) -> str:
    """One spelling per figure: "1,000", "1.000", "1 000" and "1'000" are 1000; "4.6" and "4,6" are
    4.6; the clock times "00:24", "00.24" and "0h24" are 0.24; digits of every script are ASCII
    digits, so "٢٠٢٤" and "2024" are one figure."""
    if not token.isascii():
        token = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in token)
    parts = re.split(r"[.,  :h'’]", token)
    if len(parts) == 1:
        return token.lstrip("0") or "0"
    if all(len(p) == 3 for p in parts[1:]):
        return ("".join(parts)).lstrip("0") or "0"
    return (parts[0].lstrip("0") or "0") + "." + "".join(parts[1:])


def _prepare(text: str) -> str:
    """Compatibility-normalised, currency signs made words: what tokens are read from."""
    return _CURRENCY_SIGN_RE.sub(" ¤ ", unicodedata.normalize("NFKC", text))


#: Double quotation marks of the languages newsmon reads. Each one toggles "inside a quote": opening
#: and closing forms differ by language („...“, “...”, «...», »...«), so the position decides, not
#: the form. Single quotes are left out: they double as apostrophes (l’aide, don’t).
QUOTE_MARKS = frozenset('"“”„«»‹›')


_QUOTE_RE = re.compile("[" + "".join(sorted(QUOTE_MARKS)) + "]")


def _token_re(text: str) -> re.Pattern[str]:
    """The tokenizer for a text: a character a token for kana and Han, if it has any."""
    return _WORD_TOKEN_RE if text.isascii() or not DENSE_LETTER_RE.search(text) else _DENSE_TOKEN_RE


def _folded(raws: list[str]) -> tuple[list[str], list[bool]]:
    """The tokens read from `raws` (words case-folded, figures normalised; a token of underscores only
    is left empty), and for each whether it is a figure."""
    # The words are folded all at once, joined by a character no token holds: case folding and the
    # replacements work character by character, so this is each token folded on its own (a call or
    # three a token were most of a copy's tokenizing time).
    out = "\x00".join(raws).casefold().replace("ё", "е").replace("_", "").split("\x00")
    digit = [raw[0].isdigit() for raw in raws]
    if True in digit:
        out = [number_key(raw) if d else tok for raw, tok, d in zip(raws, out, digit, strict=True)]
    return out, digit


def _tokens_and_anchors(
    text: str, inside: bool = False, token_re: re.Pattern[str] | None = None
) -> tuple[list[str], list[bool], list[bool], bool]:
    """Case-folded words and normalised figures of a `_prepare`d text; for each whether it is an
    anchor (a figure, or a capitalised word that does not open the text: a name, in the scripts that
    have capitals) and whether it stands inside quotation marks (`inside`: the text starts inside a
    quote); and whether the text ends inside one."""
    marks = [m.start() for m in _QUOTE_RE.finditer(text)]
    token_re = token_re or _token_re(text)
    if marks:
        found = list(token_re.finditer(text))
        raws = [m.group(0) for m in found]
        starts = [m.start() for m in found]
    else:  # most sentences quote nothing: no positions needed
        raws = token_re.findall(text)
        starts = []
    ends_inside = inside ^ (len(marks) % 2 == 1)
    if not raws:
        return [], [], [], ends_inside
    out, digit = _folded(raws)
    if "" in out:  # a token of underscores only: no token
        kept = [i for i, tok in enumerate(out) if tok]
        out, raws, digit = [out[i] for i in kept], [raws[i] for i in kept], [digit[i] for i in kept]
        starts = [starts[i] for i in kept] if marks else starts
        if not out:
            return [], [], [], ends_inside
    # A capitalised word is a name unless it opens the text (a figure is an anchor anywhere).
    anchor = [d or raw[0].isupper() for raw, d in zip(raws, digit, strict=True)]
    anchor[0] = digit[0]
    if marks:
        quoted = [inside ^ (bisect.bisect(marks, start) % 2 == 1) for start in starts]
    else:
        quoted = [inside] * len(out)
    return out, anchor, quoted, ends_inside


def tokens(text: str) -> list[str]:
    """Case-folded words and normalised figures, in order: `_tokens_and_anchors(_prepare(text))[0]`
    without the anchor and quotation flags, which cost as much again (`anchors` reads a text's tokens
    anew when it writes figures as digits, most English articles)."""
    text = _prepare(text)
    out, _ = _folded(_token_re(text).findall(text))
    return [tok for tok in out if tok] if "" in out else out


def is_running_line(line: str) -> bool:
    """Does a line read as running text: it ends as prose does, or it is as long as a paragraph
    (see `RUNNING_LINE_WORDS`)? Headlines, bylines and time stamps do neither."""
    return _ends_as_prose(line) or len(line.split()) >= RUNNING_LINE_WORDS


def is_number(token: str) -> bool:
    return token[0].isdigit()


#: How many of the body's first prose sentences `segment` keeps as possible leads (see `LeadRule`)
#: and as the starts of the windows a copy probes the lead buckets with (see `fold`).
MAX_LEADS = 5

#: A line this long is running text even without its full stop (an excerpt cut mid-sentence, a
#: paragraph whose stop the extractor lost): headlines, menu entries and related links are shorter.
RUNNING_LINE_WORDS = 20

#: How much of the body's text `segment` keeps (the lead buckets hash its first few hundred letters).
BODY_TEXT_CHARS = 2000


@dataclass(frozen=True)
class Segmented:
    """A text's tokens, and its sentences as token ranges (only those of at least `min_words` words:
    shorter lines are bylines, captions' credits, "1 min read" and the like: nothing to align on)."""

    tokens: list[str]
    spans: list[tuple[int, int]]
    body: int = 0  # where the first prose sentence starts (see `segment`)...
    lead_end: int = 0  # ...and where it ends
    anchors: tuple[bool, ...] = ()  # for each token: a figure or a name (see `_tokens_and_anchors`)
    body_text: str = ""  # the text from the body's start on (at most `BODY_TEXT_CHARS` of it)
    quoted: tuple[bool, ...] = ()  # for each token: inside quotation marks (a quote ends at a line end)
    #: The token ranges of the body's running text: its sentences that end as prose, from the body's
    #: start on (menus, related headlines, captions and credits around it are each site's own).
    content: tuple[tuple[int, int], ...] = ()
    #: The body's first sentences that end as prose (at least `min_words` words), the lead first.
    leads: tuple[tuple[int, int], ...] = ()
    #: Where each of `leads` starts in `body_text` (characters).
    lead_offsets: tuple[int, ...] = ()
    #: For each sentence of `spans` that opens with a wire dateline ("MANILA, Philippines (AP) -"),
    #: how many words the dateline has: republishers keep it or drop it, so sentences are also
    #: compared without it (see `align`).
    datelines: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def content_words(self) -> int:
        return sum(e - s for s, e in self.content) if self.content else len(self.tokens)

    @property
    def sentences(self) -> list[str]:
        return self.sentence_texts

    @cached_property
    def sentence_texts(self) -> list[str]:
        """Each sentence of `spans` as its tokens joined by spaces (what sentence similarity reads);
        computed once, as a copy is compared with several candidates."""
        return [joined(self.tokens[s:e]) for s, e in self.spans]

    @cached_property
    def sorted_sentence_texts(self) -> list[str]:
        """The same with each sentence's tokens in sorted order (see `sentence_scores`)."""
        return [_sorted_words(self.tokens[s:e]) for s, e in self.spans]


def segment(text: str, min_words: int) -> Segmented:
    """Tokens of the whole text (the same as `tokens(text)`) with the ranges of its sentences, and
    where its body starts: at the first sentence of at least `min_words` words that ends as prose does
    (a full stop, question or exclamation mark, perhaps inside quotes). The lines before it are a
    headline, teaser, standfirst or caption (excerpts keep them, and each republisher has its own);
    a text without such a sentence (punctuation stripped) starts at its first word."""
    text = _unwrap(_prepare(text))
    toks: list[str] = []
    anchors: list[bool] = []
    quoted: list[bool] = []
    spans: list[tuple[int, int]] = []
    prose: list[tuple[int, int]] = []
    leads: list[tuple[int, int]] = []
    lead_starts: list[int] = []
    body: tuple[int, int] | None = None
    body_char = 0
    inside = False
    datelines: dict[tuple[int, int], int] = {}
    end = 0
    token_re = _token_re(text)
    posts = _post_lines(text)
    for start, part in _parts(text):
        if "\n" in text[end:start]:
            inside = False  # an unclosed quote does not run past its paragraph
        end = start + len(part)
        got, marks, in_quote, inside = _tokens_and_anchors(part, inside, token_re)
        post = bool(posts) and any(lo <= start < hi for lo, hi in posts)
        if post:
            # An embedded post is quoted, and like a copyright notice no part of the running text:
            # its words are neither aligned content nor a lead.
            in_quote = [True] * len(got)
        ends_as_prose = bool(got) and not post and _ends_as_prose(part) and not _is_notice(part)
        if ends_as_prose or (len(got) >= RUNNING_LINE_WORDS and not post):
            prose.append((len(toks), len(toks) + len(got)))
        if len(got) >= min_words:
            spans.append((len(toks), len(toks) + len(got)))
            dateline = _DATELINE_RE.match(part) if _DATELINE_MARKS.search(part, 0, 80) else None
            if dateline and (words := len(token_re.findall(part[: dateline.end()]))) < len(got):
                datelines[spans[-1]] = words
            if ends_as_prose:
                if body is None:
                    body, body_char = spans[-1], start
                if len(leads) < MAX_LEADS:
                    leads.append(spans[-1])
                    lead_starts.append(start)
        toks.extend(got)
        anchors.extend(marks)
        quoted.extend(in_quote)
    if body is None:
        body = spans[0] if spans else (0, len(toks))
        body = (0, body[1])
    body_text = text[body_char : body_char + BODY_TEXT_CHARS]
    content = tuple(r for r in prose if r[0] >= body[0]) or ((0, len(toks)),)
    offsets = tuple(start - body_char for start in lead_starts)
    return Segmented(
        toks,
        spans,
        *body,
        tuple(anchors),
        body_text,
        tuple(quoted),
        content,
        tuple(leads),
        offsets,
        datelines,
    )


def _cuts(text: str, cut: regex.Pattern) -> Iterator[regex.Match]:
    """`cut.finditer(text)` for the sentence patterns, with the pattern tried only where one of its
    matches can start: right after a stop (`_STOP_RE`; the stop is in every branch's look-behind but
    the line break's), or at the start of the white space around a line break. Run over the whole
    text, the `regex` module tried each branch at every character, a tenth of a copy's fold CPU. A
    match ends where white space does, or (empty) before a capital or a quote, so no match starts in
    another's white space, and the starts are tried in text order: the same matches."""
    starts = {stop.end() for stop in _STOP_RE.finditer(text)}
    at = text.find("\n")
    while at >= 0:
        start = at
        while start and _SPACE_CHAR_RE.match(text, start - 1):
            start -= 1
        starts.add(start)
        at = text.find("\n", at + 1)
    end = 0
    for start in sorted(starts):
        if start >= end and (sep := cut.match(text, start)):
            end = sep.end()
            yield sep


def _parts(text: str) -> Iterator[tuple[int, str]]:
    """(offset, text) of each sentence or line of `text`, as `_SENTENCE_RE` cuts it."""
    pos = 0
    cut = _CJK_SENTENCE_RE if any(stop in text for stop in _CJK_STOPS) else _SENTENCE_RE
    for sep in _cuts(text, cut):
        if sep.start() > pos:
            yield pos, text[pos : sep.start()]
        pos = max(pos, sep.end())
    if pos < len(text):
        yield pos, text[pos:]


def lead_dateline(x: Segmented, sentences: int) -> tuple[str, ...]:
    """The dateline's words of the first of `x`'s first `sentences` prose sentences that has one."""
    for span in x.leads[:sentences]:
        if words := x.datelines.get(span, 0):
            return tuple(x.tokens[span[0] : span[0] + words])
    return ()


def other_dispatch(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Do two datelines name two dispatches: another place (its first word), another agency (its last
    word) or another date? A republisher keeps the agency's dateline or drops it, and adds at most a
    region or country to the place ("MANILA (AP)", "MANILA, Philippines (AP)"); a follow-up filed
    from another bureau, another agency's report or the same agency's story of another day has its
    own. A date only one of them gives says nothing: republishers drop it ("MADRID, 7 Nov. (EFE)" as
    "MADRID (EFE)")."""
    if not a or not b:
        return False
    days_a = {t for t in a if is_number(t)}
    days_b = {t for t in b if is_number(t)}
    return a[0] != b[0] or a[-1] != b[-1] or bool(days_a and days_b and days_a != days_b)


def _bare(x: Segmented, span: tuple[int, int]) -> str:
    """The sentence's text without its dateline, if it opens with one."""
    s, e = span
    return joined(x.tokens[s + x.datelines.get(span, 0) : e])


def sentences(text: str, min_words: int) -> list[str]:
    """Sentences of at least `min_words` words, each as its normalised tokens joined by spaces."""
    return segment(text, min_words).sentences


@dataclass(frozen=True)
class Chain:
    """One aligned passage: word ranges [a0, a1) and [b0, b1), the words matched inside them, and the
    runs of equal words it is made of (start in a, start in b, length)."""

    a0: int
    a1: int
    b0: int
    b1: int
    matched: int
    blocks: tuple[tuple[int, int, int], ...] = ()


def chains(a: list[str], b: list[str], max_gap: int, min_matched: int) -> list[Chain]:
    """The longest common word subsequence, cut where either side skips more than `max_gap` words;
    chains with fewer than `min_matched` words are dropped (scattered common words, not a passage)."""
    out: list[Chain] = []
    cur: Chain | None = None
    for op in LCSseq.opcodes(a, b):
        if op.tag != "equal":
            continue
        n = op.src_end - op.src_start
        block = (op.src_start, op.dest_start, n)
        if cur and op.src_start - cur.a1 <= max_gap and op.dest_start - cur.b1 <= max_gap:
            cur = Chain(cur.a0, op.src_end, cur.b0, op.dest_end, cur.matched + n, (*cur.blocks, block))
        else:
            if cur:
                out.append(cur)
            cur = Chain(op.src_start, op.src_end, op.dest_start, op.dest_end, n, (block,))
    if cur:
        out.append(cur)
    return [c for c in out if c.matched >= min_matched]


def moved_chains(a: list[str], b: list[str], found: list[Chain], max_gap: int, min_chain: int) -> list[Chain]:
    """Chains of the passages that one text moved: each stretch of `a` (at least `min_chain` words)
    outside the in-order `found` chains, aligned against the words of `b` that no chain holds.

    A single longest common subsequence keeps one order, so a paragraph that a write-through moved
    up (the background under a new top, the official's figure before the witness's) or that a
    republisher moved down counts as unmatched, although it is the same text. Only words no chain
    holds on either side are matched, each once, and a moved passage must be a chain of its own
    (`min_chain` words): two reports of one event share stock phrases, not such passages."""
    if not found:
        return []
    held = bytearray(len(a))
    free = list(b)
    for c in found:
        held[c.a0 : c.a1] = b"\x01" * (c.a1 - c.a0)
        free[c.b0 : c.b1] = ["\x00"] * (c.b1 - c.b0)
    out: list[Chain] = []
    lo = 0
    while lo < len(a):
        if held[lo]:
            lo += 1
            continue
        hi = lo
        while hi < len(a) and not held[hi]:
            hi += 1
        if hi - lo >= min_chain:
            for c in chains(a[lo:hi], free, max_gap, min_chain):
                blocks = tuple((i + lo, j, n) for i, j, n in c.blocks)
                out.append(Chain(c.a0 + lo, c.a1 + lo, c.b0, c.b1, c.matched, blocks))
                free[c.b0 : c.b1] = ["\x00"] * (c.b1 - c.b0)
        lo = hi
    return out


def _near_currency(toks: list[str], i: int, reach: int) -> bool:
    lo, hi = max(0, i - reach), min(len(toks), i + reach + 1)
    return any(toks[j] in CURRENCY_WORDS for j in range(lo, hi))


def figures_in(toks: list[str], lo: int, hi: int, reach: int) -> list[str]:
    """The figures in toks[lo:hi] that are not money amounts (no currency word within `reach`)."""
    return [t for i in range(lo, hi) if is_number(t := toks[i]) and not _near_currency(toks, i, reach)]


def _is_count(figure: str, min_value: float) -> bool:
    """A figure that tells one event from another: a decimal (a magnitude, a rate) or a whole number
    of at least `min_value`, and no year. Smaller whole numbers are days of the month, hours and the
    like, which copies restate freely ("on Tuesday" / "on 5 July")."""
    if "." in figure:
        return True
    value = int(figure)
    return value >= min_value and not 1900 <= value <= 2100


def lead_figures(x: Segmented, reach: int, min_value: float) -> set[str]:
    """The counts in the lead sentence of `x` (money amounts left out, see `figures_in`)."""
    return {f for f in figures_in(x.tokens, x.body, x.lead_end, reach) if _is_count(f, min_value)}


@dataclass(frozen=True)
class Alignment:
    """The evidence for one pair of texts, measured on the shorter one (`a`)."""

    coverage: float  # share of a's words inside aligned chains
    sentences: int  # a's sentences long enough to align
    aligned: int  # ...re-edited or spun in the other text (see `align`)
    strong: int  # ...almost unchanged in the other text
    strong_share: float  # share of the words of a's body sentences that are in almost unchanged ones
    lead: bool  # the opening of one text is inside chains, near the other's opening
    figures_agree: int  # figures matched inside the chains
    figures_differ: int  # figures replaced by other figures inside the chains
    measured: bool = True  # False: coverage too low to matter, sentences and lead not measured
    #: The lead not kept near the other's opening, but one text's lead sentence found whole, with the
    #: next one after it, among the other's first sentences (see `lead_sentence_moved`).
    lead_moved: bool = False

    def describe(self) -> str:
        if not self.measured:
            return f"coverage {self.coverage:.2f} (too low: sentences and lead not measured)"
        lead = "kept" if self.lead else "moved" if self.lead_moved else "not shared"
        return (
            f"coverage {self.coverage:.2f}, sentences {self.aligned}/{self.sentences} aligned "
            f"({self.strong} almost unchanged), lead {lead}, "
            f"figures {self.figures_agree} agree / {self.figures_differ} differ"
        )


def sentence_scores(
    a: list[str], b: list[str], a_sorted: list[str] | None = None, b_sorted: list[str] | None = None
) -> tuple[list[float], list[float]]:
    """For each sentence of `a` its best similarity (0-100) to a sentence of `b`, and vice versa.

    The similarity of two sentences is the better of their character similarity and that of their
    words in sorted order: editors and spinners move a sentence's clauses about ("..., the ministry
    said on Monday" becomes "The ministry said on Monday that ..."; a time or place phrase goes to the
    front), which leaves the words but scores low on characters in order. Two writers' own sentences
    on one event share names and figures, not nearly all their words, so the sorted words of theirs
    stay as far apart as the characters."""
    if not a or not b:
        return [0.0] * len(a), [0.0] * len(b)
    in_order = process.cdist(a, b, scorer=fuzz.ratio, dtype="uint8", workers=1)
    # Sentences are normalised tokens joined by spaces: their words sorted once (or passed in, see
    # `Segmented.sorted_sentence_texts`) cost less than the scorer sorting them for every pair.
    a_sorted = a_sorted if a_sorted is not None else [" ".join(sorted(s.split())) for s in a]
    b_sorted = b_sorted if b_sorted is not None else [" ".join(sorted(s.split())) for s in b]
    reordered = process.cdist(a_sorted, b_sorted, scorer=fuzz.ratio, dtype="uint8", workers=1)
    matrix = np.maximum(in_order, reordered)
    return matrix.max(axis=1).tolist(), matrix.max(axis=0).tolist()


@dataclass(frozen=True)
class LeadRule:
    """How the opening is checked (see `opening_kept`)."""

    words: int  # the opening: a text's lead sentence, at most this many of its first words
    kept_share: float  # ...of which at least this share inside chains
    reach_words: int  # ...found in the other text within this many words of its body's start
    reach_share: float  # ...or within this share of its body, whichever is more
    sentences: int = 1  # the lead is one of the body's first this many prose sentences
    #: ...or the lead sentence is found whole, almost unchanged (character similarity at least
    #: `whole_score`), as one of the other text's first `later_sentences` prose sentences (0: off).
    whole_score: float = 0.0
    later_sentences: int = 0


def _quoted(x: Segmented, i: int) -> bool:
    return bool(x.quoted) and x.quoted[i]


def _quote_flags(x: Segmented) -> tuple[bool, ...]:
    """For each token of `x`, whether it is quoted (all False when the text was built without flags)."""
    return x.quoted if len(x.quoted) == len(x.tokens) else (False,) * len(x.tokens)


def opening_kept(x: Segmented, y: Segmented, rule: LeadRule, max_gap: int, min_chain: int) -> bool:
    """Is the lead of `x` (a sentence among the first `rule.sentences` of its body, at most `rule.words`
    of it) mostly found in the opening stretch of `y`, with its names and figures?

    A copy rewords a lead's common words (a spinner swaps them, an editor trims) but keeps most of its
    names and figures; an outlet's template for another event keeps the common words and replaces
    exactly those, so the chains of a template's lead bridge more replaced names and figures (a
    name or figure on both sides of a gap) than they keep.

    Aligned on its own, not read off the two texts' global alignment: a copy may move a block (an
    info box, a photo caption) before or after the lead, which a single monotone alignment cannot
    follow. The stretch of `y` searched is its headlines and captions, then the first of its body."""
    reach = int(max(rule.reach_words, rule.reach_share * (len(y.tokens) - y.body)))
    lead = min(x.lead_end, x.body + rule.words)
    if _lead_found(x, x.body, lead, y, y.body + reach + lead - x.body, max_gap, min_chain, rule):
        return True
    # A later sentence stands in for a first one that was a standfirst, a caption or a notice only
    # when it reads as a lead: the reporter's own words (not a quotation, which two reports of one
    # statement share) with more of the story after it (not an embedded post closing the text), found
    # among the other's first sentences as well (lead to lead: a sentence two stories share further
    # down is background or a quote, not a lead).
    y_opening = y.leads[min(rule.sentences, len(y.leads)) - 1][1] if y.leads else y.lead_end
    for lo, hi in x.leads[1 : rule.sentences]:
        reads_as_lead = _reads_as_lead(x, lo, hi)
        window_end = min(hi, lo + rule.words)
        if reads_as_lead and _lead_found(x, lo, window_end, y, y_opening, max_gap, min_chain, rule):
            return True
    return False


def _reads_as_lead(x: Segmented, lo: int, hi: int) -> bool:
    """The reporter's own words (not mostly a quotation) with more of the story after it."""
    return hi < x.content[-1][1] and 2 * sum(_quoted(x, i) for i in range(lo, hi)) < hi - lo


def lead_sentence_moved(x: Segmented, y: Segmented, rule: LeadRule, follow_score: float) -> bool:
    """Is the lead sentence of `x` (one of its body's first `rule.sentences` prose sentences, a later
    one only where it reads as a lead: see `_reads_as_lead`) almost unchanged, whole, as one of the
    first `rule.later_sentences` prose sentences of `y`, keeping its figures and most of its names,
    and followed there by x's next sentence (re-edited at least: `follow_score`)?

    Each side may have a standfirst of its own over the agency's lead (a site's one-line summary, a
    teaser): then x's lead is its second sentence, as `opening_kept` already allows.

    A republisher puts its own standfirst, a photo caption and a credit line over the agency's lead,
    so the lead is the 3rd to 5th sentence of its page, beyond what `opening_kept` reads; and an
    editor who rewords a lead's first words (which `opening_kept`'s window reads) leaves the rest of
    the sentence as it was. The whole sentence almost unchanged, and the next one after it, is an
    opening kept: two reports of one event do not write one lead sentence alike, a quote or a
    background paragraph two stories share is not the first sentence of either, and an outlet's
    template for another event replaces the lead's figures or names."""
    if not rule.whole_score or not rule.later_sentences or len(x.leads) < 1 or not y.leads:
        return False
    for n in range(min(rule.sentences, len(x.leads))):
        lo, hi = x.leads[n]
        if n and (not _reads_as_lead(x, lo, hi) or any(YEAR_RE.fullmatch(t) for t in x.tokens[lo:hi])):
            # The first sentence, or a second one under a standfirst that reads as a lead and recalls
            # no year: a sentence naming a year is history, which stories of one topic repeat.
            continue
        if 2 * sum(_quoted(x, i) for i in range(lo, hi)) >= hi - lo:
            continue  # a quotation is the quoted source's, which two reports share
        if _moved_to(x, n, y, rule, follow_score):
            return True
    return False


def _moved_to(x: Segmented, n: int, y: Segmented, rule: LeadRule, follow_score: float) -> bool:
    """Is x's `n`-th lead sentence almost unchanged among y's first prose sentences, followed there by
    x's next sentence (see `lead_sentence_moved`)?"""
    lo, hi = x.leads[n]
    text = joined(x.tokens[lo:hi])
    ys = y.leads[: rule.later_sentences]
    for k, (ylo, yhi) in enumerate(ys):
        if fuzz.ratio(text, joined(y.tokens[ylo:yhi])) < rule.whole_score:
            continue
        if _anchors_replaced(x, lo, hi, y, ylo, yhi):
            continue
        if len(x.leads) <= n + 1:
            # A text of one sentence is its lead; a second sentence with nothing after it may be
            # any sentence two stories share (a quote, a line of background).
            return n == 0
        nlo, nhi = x.leads[n + 1]
        follower = joined(x.tokens[nlo:nhi])
        after = [joined(y.tokens[a:b]) for a, b in y.leads[k + 1 : k + 3]]
        if any(fuzz.ratio(follower, other) >= follow_score for other in after):
            return True
    return False


def _anchors_replaced(x: Segmented, lo: int, hi: int, y: Segmented, ylo: int, yhi: int) -> bool:
    """Do two sentences each have a figure the other lacks (the same frame for another event), or
    names of their own at least as many as those they share?"""
    fx = {t for t in x.tokens[lo:hi] if is_number(t)}
    fy = {t for t in y.tokens[ylo:yhi] if is_number(t)}
    if fx - fy and fy - fx:
        return True
    nx = {x.tokens[i] for i in range(lo, hi) if x.anchors and x.anchors[i] and not is_number(x.tokens[i])}
    ny = {y.tokens[i] for i in range(ylo, yhi) if y.anchors and y.anchors[i] and not is_number(y.tokens[i])}
    own = min(len(nx - ny), len(ny - nx))
    return own > 0 and own >= len(nx & ny)


def _lead_found(
    x: Segmented, lo: int, hi: int, y: Segmented, until: int, max_gap: int, min_chain: int, rule: LeadRule
) -> bool:
    """Is x.tokens[lo:hi] mostly found in y.tokens[:until]?"""
    window = x.tokens[lo:hi]
    if not window:
        return False
    region = y.tokens[:until]
    found = chains(window, region, max_gap, min(min_chain, max(3, len(window) // 2)))
    matched = bytearray(len(window))
    replaced = 0
    for c in found:
        for (i, j, n), (i2, j2, _) in zip(c.blocks, c.blocks[1:], strict=False):
            if any(x.anchors[lo + i + n : lo + i2]) and any(y.anchors[j + n : j2]):
                replaced += 1
        for i, j, n in c.blocks:
            for k in range(n):
                # A word quoted on one side only is one source (a statement, a post) quoted by one
                # report and told in its own words by the other: two reports of it, not one copied.
                if _quoted(x, lo + i + k) == _quoted(y, j + k):
                    matched[i + k] = 1
    # Half of it, and three quarters of a chain's worth of words (a quarter may be edited): a short
    # generic lead ("the ministry announced on Monday the death of X") is said alike by everyone who
    # reports the event, so half of a short lead is not enough.
    if sum(matched) < max(rule.kept_share * len(window), 0.75 * min(min_chain, len(window))):
        return False
    kept = sum(1 for i in range(len(window)) if matched[i] and x.anchors[lo + i])
    return replaced <= kept


def align(
    a: Segmented,
    b: Segmented,
    *,
    max_gap: int,
    min_chain: int,
    aligned_score: float,
    strong_score: float,
    aligned_share: float,
    strong_share: float,
    lead: LeadRule,
    currency_reach: int,
    min_coverage: float = 0.0,
) -> Alignment:
    """The alignment evidence for two texts; `a` should be the shorter one (coverage is measured on it).

    `min_coverage`: below this coverage the caller decides "different" whatever else is measured, so
    the sentence, lead and figure measures are left out (zero, no lead): they cost three quarters of an
    alignment, and most candidates of a large archive (chance lead-bucket hits) stop here.

    A sentence of `a` counts as re-edited (aligned) or almost unchanged (strong) by either measure:
    its character similarity to the best sentence of `b` (a spun sentence scores high although few
    of its words are equal), or the share of its words inside chains (a sentence split in two, or
    two sentences joined, scores low on similarity but stays inside one chain)."""
    a_toks, b_toks = a.tokens, b.tokens
    # The sentences of the running text (see `Segmented.content`), if it has any that end as prose:
    # a site's headline, menu and sidebar lines are its own, and two reports sharing them share no
    # story (nor does a copy lose any by having other ones).
    prose = set(a.content)
    a_spans = [sp for sp in a.spans if sp in prose] or a.spans
    index = {span: i for i, span in enumerate(a.spans)}
    a_sents = [a.sentence_texts[index[span]] for span in a_spans]
    if not a_toks or not b_toks:
        return Alignment(0.0, len(a_sents), 0, 0, 0.0, False, 0, 0)
    found = chains(a_toks, b_toks, max_gap, min(min_chain, max(3, len(a_toks) // 2)))
    found += moved_chains(a_toks, b_toks, found, max_gap, min_chain)
    qa, qb = _quote_flags(a), _quote_flags(b)
    # 1: a word matched in the article's own words on both sides; 2: matched, but quoted on either
    # side: the quoted source's words (a statement, a post), which two reports quoting it share (or
    # one quotes and the other tells in its own words) without one being the other's copy.
    a_mask = bytearray(len(a_toks))
    agree = differ = 0
    for c in found:
        for i, j, n in c.blocks:
            if any(qa[i : i + n]) or any(qb[j : j + n]):
                a_mask[i : i + n] = bytes(2 if qa[i + k] or qb[j + k] else 1 for k in range(n))
            else:
                a_mask[i : i + n] = b"\x01" * n
        fa = figures_in(a_toks, c.a0, c.a1, currency_reach)
        fb = figures_in(b_toks, c.b0, c.b1, currency_reach)
        common = LCSseq.similarity(fa, fb) if fa and fb else 0
        agree += common
        differ += min(len(fa), len(fb)) - common
    # Measured on the running text: a copy under another site's menus and related headlines is
    # still a copy, and two reports sharing such lines are not.
    # The words a quotes count on neither side of the share (a text made of quotes is judged on the
    # rest; one made only of quotes on all of it).
    narrative = sum(e - s - sum(qa[s:e]) for s, e in a.content)
    if narrative:
        coverage = sum(a_mask[s:e].count(1) for s, e in a.content) / narrative
    else:
        coverage = sum(e - s - a_mask[s:e].count(0) for s, e in a.content) / (a.content_words or 1)
    if coverage < min_coverage:
        return Alignment(coverage, len(a_sents), 0, 0, 0.0, False, agree, differ, measured=False)
    # A sentence that opens with a dateline its copy dropped: its share without the dateline counts.
    shares = [
        max((e - t - a_mask[t:e].count(0)) / (e - t) for t in {s, s + a.datelines.get((s, e), 0)})
        for s, e in a_spans
    ]
    # A sentence mostly inside quotation marks is the source's, not the article's: no evidence.
    source = [2 * sum(qa[s:e]) > e - s for s, e in a_spans]
    a_sorted = [a.sorted_sentence_texts[index[span]] for span in a_spans]
    best_a, _ = sentence_scores(a_sents, b.sentence_texts, a_sorted, b.sorted_sentence_texts)
    if a.datelines or b.datelines:
        # ...and so does its similarity: the sentences compared again with their datelines left out.
        bare_a = [_bare(a, span) for span in a_spans]
        bare_b = [_bare(b, span) for span in b.spans]
        bare, _ = sentence_scores(bare_a, bare_b)
        best_a = [max(x, y) for x, y in zip(best_a, bare, strict=True)]
    kept = opening_kept(a, b, lead, max_gap, min_chain) or opening_kept(b, a, lead, max_gap, min_chain)
    moved = not kept and (
        lead_sentence_moved(a, b, lead, aligned_score) or lead_sentence_moved(b, a, lead, aligned_score)
    )
    is_aligned = [
        not q and (s >= aligned_score or c >= aligned_share)
        for s, c, q in zip(best_a, shares, source, strict=True)
    ]
    is_strong = [
        not q and (s >= strong_score or c >= strong_share)
        for s, c, q in zip(best_a, shares, source, strict=True)
    ]
    # The share is of the body's sentences: headline and teaser lines are each republisher's own.
    sizes = [e - s if s >= a.body and not q else 0 for (s, e), q in zip(a_spans, source, strict=True)]
    return Alignment(
        coverage=coverage,
        sentences=len(a_sents),
        aligned=sum(is_aligned),
        strong=sum(is_strong),
        strong_share=sum(n for n, ok in zip(sizes, is_strong, strict=True) if ok) / (sum(sizes) or 1),
        lead=kept,
        figures_agree=agree,
        figures_differ=differ,
        lead_moved=moved,
    )
