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
  similarity, so a spun or re-edited sentence still scores high). A copy has several sentences that are
  almost unchanged (`strong`); two independent translations or rewrites of one statement do not, even
  where they share many words.
- the lead: a copy keeps the article's opening. Two stories sharing background paragraphs align only
  after their leads, so one of the first sentences of either side must have a counterpart.
- numbers inside the chains: agreeing figures are evidence, a figure replaced by another inside an
  aligned passage is the mark of the same template used for another event. Amounts next to a currency
  are left out: regional editions convert them (CHF vs EUR), and that does not make another story.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

# Currency signs become a word, so they survive tokenising and mark the amount next to them.
_CURRENCY_SIGNS = str.maketrans({s: " ¤ " for s in "$€£¥₽₣₺₹₴₸"})
#: Words that name a currency (ISO codes and the common names in the languages newsmon reads).
_CURRENCY_TEXT = """
¤ chf eur usd gbp rub sek nok dkk pln czk huf try jpy cny aed sar egp uah kzt
fr sfr franc francs franken franchi franco euro euros dollar dollars dólar dólares dollaro dollari
pound pounds sterling livre livres libra libras pfund rouble roubles ruble rubles rubel
рубль рубля рублей евро доллар доллара долларов франк франка франков фунт фунтов гривна гривен
тенге دولار يورو فرنك جنيه ريال درهم
"""
CURRENCY_WORDS = frozenset(_CURRENCY_TEXT.split())
# A number (with its thousands or decimal separators) or a word.
_TOKEN_RE = re.compile(r"\d+(?:[.,  ]\d+)*|\w+")
# A sentence ends at . ! ? … (Latin, Arabic, CJK forms) before a space, or at a line break.
_SENTENCE_RE = re.compile(r"(?<=[.!?…؟。！？])\s+|\s*\n\s*")


def _number_key(token: str) -> str:
    """One spelling per figure: "1,000", "1.000" and "1 000" are 1000; "4.6" and "4,6" are 4.6; digits
    of every script are ASCII digits, so "٢٠٢٤" and "2024" are one figure."""
    if not token.isascii():
        token = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in token)
    parts = re.split(r"[.,  ]", token)
    if len(parts) == 1:
        return token.lstrip("0") or "0"
    if all(len(p) == 3 for p in parts[1:]):
        return ("".join(parts)).lstrip("0") or "0"
    return (parts[0].lstrip("0") or "0") + "." + "".join(parts[1:])


def tokens(text: str) -> list[str]:
    """Case-folded words and normalised figures, in order."""
    text = unicodedata.normalize("NFKC", text).translate(_CURRENCY_SIGNS)
    out = []
    for tok in _TOKEN_RE.findall(text.casefold().replace("ё", "е")):
        if tok[0].isdigit():
            out.append(_number_key(tok))
        else:
            out.append(tok.replace("_", ""))
    return [t for t in out if t]


def is_number(token: str) -> bool:
    return token[0].isdigit()


def sentences(text: str, min_words: int) -> list[str]:
    """Sentences of at least `min_words` words, each as its normalised tokens joined by spaces.

    Shorter lines are bylines, captions' credits, "1 min read" and the like: nothing to align on."""
    out = []
    for part in _SENTENCE_RE.split(text):
        toks = tokens(part)
        if len(toks) >= min_words:
            out.append(" ".join(toks))
    return out


@dataclass(frozen=True)
class Chain:
    """One aligned passage: word ranges [a0, a1) and [b0, b1) and the words matched inside them."""

    a0: int
    a1: int
    b0: int
    b1: int
    matched: int


def chains(a: list[str], b: list[str], max_gap: int, min_matched: int) -> list[Chain]:
    """The longest common word subsequence, cut where either side skips more than `max_gap` words;
    chains with fewer than `min_matched` words are dropped (scattered common words, not a passage)."""
    out: list[Chain] = []
    cur: Chain | None = None
    for op in LCSseq.opcodes(a, b):
        if op.tag != "equal":
            continue
        n = op.src_end - op.src_start
        if cur and op.src_start - cur.a1 <= max_gap and op.dest_start - cur.b1 <= max_gap:
            cur = Chain(cur.a0, op.src_end, cur.b0, op.dest_end, cur.matched + n)
        else:
            if cur:
                out.append(cur)
            cur = Chain(op.src_start, op.src_end, op.dest_start, op.dest_end, n)
    if cur:
        out.append(cur)
    return [c for c in out if c.matched >= min_matched]


def _near_currency(toks: list[str], i: int, reach: int) -> bool:
    lo, hi = max(0, i - reach), min(len(toks), i + reach + 1)
    return any(toks[j] in CURRENCY_WORDS for j in range(lo, hi))


def figures_in(toks: list[str], lo: int, hi: int, reach: int) -> list[str]:
    """The figures in toks[lo:hi] that are not money amounts (no currency word within `reach`)."""
    return [t for i in range(lo, hi) if is_number(t := toks[i]) and not _near_currency(toks, i, reach)]


@dataclass(frozen=True)
class Alignment:
    """The evidence for one pair of texts, measured on the shorter one (`a`)."""

    coverage: float  # share of a's words inside aligned chains
    sentences: int  # a's sentences long enough to align
    aligned: int  # ...with a counterpart scoring >= the aligned threshold
    strong: int  # ...with a counterpart scoring >= the strong threshold (almost unchanged)
    lead: bool  # one of the first sentences of either side has a counterpart
    figures_agree: int  # figures matched inside the chains
    figures_differ: int  # figures replaced by other figures inside the chains

    def describe(self) -> str:
        return (
            f"coverage {self.coverage:.2f}, sentences {self.aligned}/{self.sentences} aligned "
            f"({self.strong} almost unchanged), lead {'kept' if self.lead else 'not shared'}, "
            f"figures {self.figures_agree} agree / {self.figures_differ} differ"
        )


def sentence_scores(a: list[str], b: list[str]):
    """For each sentence of `a` its best similarity (0-100) to a sentence of `b`, and vice versa."""
    if not a or not b:
        return [0.0] * len(a), [0.0] * len(b)
    matrix = process.cdist(a, b, scorer=fuzz.ratio, dtype="uint8", workers=1)
    return matrix.max(axis=1).tolist(), matrix.max(axis=0).tolist()


def align(
    a_toks: list[str],
    b_toks: list[str],
    a_sents: list[str],
    b_sents: list[str],
    *,
    max_gap: int,
    min_chain: int,
    aligned_score: float,
    strong_score: float,
    lead_sentences: int,
    currency_reach: int,
) -> Alignment:
    """The alignment evidence for two texts; `a` should be the shorter one (coverage is measured on it)."""
    if not a_toks or not b_toks:
        return Alignment(0.0, len(a_sents), 0, 0, False, 0, 0)
    found = chains(a_toks, b_toks, max_gap, min(min_chain, max(3, len(a_toks) // 2)))
    coverage = sum(c.matched for c in found) / len(a_toks)
    agree = differ = 0
    for c in found:
        fa = figures_in(a_toks, c.a0, c.a1, currency_reach)
        fb = figures_in(b_toks, c.b0, c.b1, currency_reach)
        common = LCSseq.similarity(fa, fb) if fa and fb else 0
        agree += common
        differ += min(len(fa), len(fb)) - common
    best_a, best_b = sentence_scores(a_sents, b_sents)
    lead = any(s >= aligned_score for s in best_a[:lead_sentences]) or any(
        s >= aligned_score for s in best_b[:lead_sentences]
    )
    return Alignment(
        coverage=coverage,
        sentences=len(a_sents),
        aligned=sum(1 for s in best_a if s >= aligned_score),
        strong=sum(1 for s in best_a if s >= strong_score),
        lead=lead,
        figures_agree=agree,
        figures_differ=differ,
    )
