"""Remove what trafilatura leaves behind: calls to action, UI strings, credits, title echoes.

Aggregator copies and many news pages end (and sometimes start) with furniture such as a sign-up
button label, a "loading" placeholder, a "back to section" link, a share or cookie prompt, or a
photo credit. These are recognised by SHAPE rather than by listing phrases: they are short, they
sit at the edges of the text, they lack sentence punctuation or are shouted in capitals, start with
an imperative, end in an ellipsis, or are mostly a link. A small lexicon of interface verbs and
nouns (share, subscribe, cookie, newsletter ...) in a few languages backs the shape test, because
shape alone cannot tell "Read more" from a two-word subheading. Lines that repeat across a site's
pages are handled by :mod:`newsmon.extract.boilerplate`; declared originals by
:mod:`newsmon.extract.attribution`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import lru_cache
from typing import NamedTuple

from newsmon.extract.attribution import Attribution, parse_attribution

_TOKEN = re.compile(r"\w+", re.UNICODE)
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’“‘»«)\]]*\s*$")  # closing quotes/brackets may follow
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|.*\|\s*$")  # how trafilatura writes a row: "| a | b |"
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_ARROWS = re.compile(r"^\s*(?:[«»<>←→↑↓⇐⇒›‹▶►◀◄|]+|&gt;|&lt;)|(?:[«»<>←→›‹▶►|]+)\s*$")

# Interface verbs that open calls to action (imperatives and UI labels), several languages.
_CTA_VERBS = {
    # English
    "register",
    "subscribe",
    "unsubscribe",
    "sign",
    "signup",
    "login",
    "log",
    "share",
    "follow",
    "click",
    "tap",
    "read",
    "watch",
    "listen",
    "download",
    "join",
    "continue",
    "back",
    "return",
    "go",
    "see",
    "view",
    "comment",
    "comments",
    "like",
    "tweet",
    "email",
    "print",
    "save",
    "close",
    "accept",
    "allow",
    "buy",
    "order",
    "try",
    "learn",
    "discover",
    "explore",
    "visit",
    "loading",
    "load",
    "get",
    "start",
    "skip",
    "tell",
    "send",
    "donate",
    "support",
    "advertisement",
    "advertising",
    "sponsored",
    "related",
    "recommended",
    "more",
    "next",
    "previous",
    "prev",
    "top",
    "home",
    "menu",
    "search",
    "contact",
    "enter",
    "submit",
    "reply",
    "upgrade",
    "install",
    "open",
    "play",
    "show",
    "hide",
    "expand",
    "copy",
    "don",
    "dont",
    "also",
    "trending",
    "popular",
    "latest",
    "please",
    "check",
    "find",
    # Russian / Ukrainian
    "подпишитесь",
    "подписаться",
    "подписывайтесь",
    "читайте",
    "читать",
    "смотрите",
    "смотреть",
    "поделиться",
    "поделитесь",
    "вернуться",
    "назад",
    "загрузка",
    "зарегистрируйтесь",
    "войти",
    "войдите",
    "реклама",
    "комментарии",
    "подробнее",
    "далее",
    "узнайте",
    "скачайте",
    "присоединяйтесь",
    "следите",
    "оставить",
    "перейти",
    "также",
    "загружается",
    "пожалуйста",
    # German, French, Spanish, Italian, Portuguese
    "abonnieren",
    "anmelden",
    "registrieren",
    "teilen",
    "lesen",
    "mehr",
    "zurück",
    "weiterlesen",
    "werbung",
    "laden",
    "s'abonner",
    "abonnez",
    "inscrivez",
    "partager",
    "lire",
    "retour",
    "voir",
    "suivez",
    "publicité",
    "chargement",
    "suscríbete",
    "regístrate",
    "compartir",
    "leer",
    "volver",
    "sigue",
    "cargando",
    "publicidad",
    "iscriviti",
    "condividi",
    "leggi",
    "torna",
    "caricamento",
    "pubblicità",
    "assine",
    "inscreva",
    "compartilhe",
    "leia",
    "voltar",
    "carregando",
    "publicidade",
}
# Interface nouns/phrases that betray furniture wherever they sit in a short line.
_UI_PHRASES = re.compile(
    r"\b(?:cookies?|newsletters?|sign[ -]?up|log[ -]?in|subscri(?:be|ption)|all rights reserved|"
    r"click here|tap here|share (?:this|it|on)|follow (?:us|him|her|them|me) (?:on|at)|"
    r"download (?:the|our) app|privacy policy|terms of (?:use|service)|javascript|ad ?blocker|"
    r"please wait|loading|read (?:more|next|also)|see (?:more|also)|don'?t miss|more from|"
    r"recommended for you|related (?:articles?|stories|posts|content|coverage)|"
    r"подпис\w+|рассылк\w+|куки|cookie-файл\w*|читайте также|поделит\w+|"
    r"abonn\w+|newsletter|inscri\w+|suscr\w+|iscri\w+)",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"(?:©|\(c\)|\bcopyright\b|^(?:photos?|images?|pictures?|credits?|illustrations?|video|фото|"
    r"иллюстрация|bild|foto|crédit|crédito)s?\s*(?:credits?|by)?\s*[:：/|])",
    re.IGNORECASE,
)
# A label introducing a link to another article ("READ MORE: ...", "Related: ...").
_RECIRC_LABEL = re.compile(
    r"^\s*(?:(?:read|see|watch|also|related|more|recommended|trending|читайте|смотрите|lesen sie|lire aussi|"
    r"lee también|leggi anche|leia também)(?:\s+\w+){0,2}\s*[:|]\s*\S|(?:also|more) (?:on|from) \S+\.\w+\s)",
    re.IGNORECASE,
)

SHORT_WORDS = 8  # a call to action is rarely longer
CTA_MAX_WORDS = 40  # a line naming a UI action ("click here", "sign up") is furniture up to this length
EDGE_SCAN = 8  # how many lines from each edge may be removed
TAIL_BLOCK = 25  # how far back a trailing block of furniture may reach
TAIL_BLOCK_MAX_WORDS = 30  # a longer line is article prose and ends the trailing block
TAIL_BLOCK_PROSE_WORDS = 12  # ... and so is a punctuated sentence of this many words
LINK_LIST_MIN_ITEMS = 3  # a trailing list this long, mostly links on the page, is a list of other articles
LINK_RUN_MIN_LINES = 2  # this many consecutive linked lines anywhere are a box of links, not prose
LINK_RUN_MAX_WORDS = 30  # ... each a headline, not a paragraph
SHOUTED_LINK_MIN_WORDS = 5  # a promo headline; shorter capitals are names, tickers, labels
_LIST_NUMBER = re.compile(r"^\W*\d")


class CleanRule(StrEnum):
    """Why the cleaner removed a line (the bench measures the recall each rule costs)."""

    SITE_REPEAT = "site_repeat"  # the site repeats the line on its other pages
    DOUBLED = "doubled"
    CREDIT = "credit"
    RECIRCULATION = "recirculation"
    ATTRIBUTION = "attribution"
    EDGE_PROMPT = "edge_prompt"  # a call to action or interface wording at an edge of the text
    EDGE_LINK = "edge_link"  # a bare URL, arrows or debris at an edge
    EDGE_LABEL = "edge_label"  # a few words at an edge that were a link on the page
    LINK_LIST = "link_list"
    LINK_RUN = "link_run"  # consecutive lines that were links on the page (a box of headlines)
    TEASER_LIST = "teaser_list"  # a trailing list of linked headlines with their summaries
    SHOUTED_LINK = "shouted_link"  # a headline in capitals that was a link: a promo of another page
    TAIL_BLOCK = "tail_block"
    TITLE_ECHO = "title_echo"


class Removal(NamedTuple):
    line: str
    rule: CleanRule


@dataclass(frozen=True)
class Cleaned:
    """Result of cleaning: the kept lines, the declared original and what was removed (for logs)."""

    lines: list[str]
    attribution: Attribution | None
    removed: list[Removal]


def tokens(text: str) -> list[str]:
    """Word tokens, the unit all shape tests count in."""
    return _TOKEN.findall(text)


@lru_cache(maxsize=4096)
def word_count(text: str) -> int:
    """``word_count(text)``, remembered: the rules ask it of the same line several times each."""
    return len(_TOKEN.findall(text))


def _is_shouting(line: str) -> bool:
    letters = _LETTERS.findall(line)
    if len(letters) < 2:
        return False
    return sum(map(str.isupper, letters)) / len(letters) > 0.8


def is_credit(line: str) -> bool:
    """A photo/copyright credit: short, and carries a copyright sign or a credit label."""
    return bool(_CREDIT.search(line)) and word_count(line) <= 30 and not _ends_sentence_long(line)


def _ends_sentence_long(line: str) -> bool:
    return word_count(line) > 20 and bool(_SENTENCE_END.search(line))


def is_doubled(line: str) -> bool:
    """A caption glued to its own copy ("X © site X © site"), a typical aggregator artefact."""
    words = line.split()
    n = len(words)
    if n < 4:
        return False
    if n % 2 == 0 and words[n // 2].strip(" .,") == words[0].strip(" .,"):
        half = n // 2
        if [w.strip(" .,") for w in words[:half]] == [w.strip(" .,") for w in words[half:]]:
            return True
    half = len(line) // 2
    return len(line) > 20 and line[:half].strip() == line[half:].strip()


def is_recirculation(line: str) -> bool:
    """A "READ MORE: headline" style pointer to another article (removed wherever it stands)."""
    return bool(_RECIRC_LABEL.match(line)) and word_count(line) <= 30


class Strength(IntEnum):
    """How surely a line is a call to action or interface text rather than article text."""

    NONE = 0
    LABEL = 1  # a few words without sentence punctuation: a label, a link, a table cell, a sign-off
    LINK = 2  # a bare URL, arrows, punctuation debris
    PROMPT = 3  # interface wording, an imperative of an interface verb, an ellipsis teaser, shouting


def is_body_sentence(line: str) -> bool:
    """Shaped like a sentence of body text: longer than a label and closed by sentence punctuation."""
    return word_count(line) > SHORT_WORDS and bool(_SENTENCE_END.search(line))


def cta_strength(line: str) -> Strength:
    """How much ``line`` looks like interface text (see :class:`Strength`).

    A sentence of body-text shape is interface text only when it opens with an interface verb and
    names interface things ("Sign up for our newsletter to get ... ."): a privacy page or a podcast
    note that merely mentions subscribing is body text.
    """
    stripped = line.strip(" \t-–—•*|>")
    words = tokens(stripped)
    if not words:
        return Strength.LINK  # punctuation-only debris
    n = len(words)
    imperative = words[0].casefold() in _CTA_VERBS
    if n <= CTA_MAX_WORDS and _UI_PHRASES.search(stripped) and (imperative or not is_body_sentence(stripped)):
        return Strength.PROMPT
    if _URL.fullmatch(stripped) or (n <= 12 and _URL.search(stripped)):
        return Strength.LINK
    if n > SHORT_WORDS or _TABLE_ROW.match(line):
        return Strength.NONE  # a table row's cells are data, whatever their shape
    if imperative or _ELLIPSIS_END.search(stripped) or _is_shouting(stripped):
        return Strength.PROMPT
    if _ARROWS.search(line):
        return Strength.LINK
    return Strength.LABEL if n <= 3 and not _SENTENCE_END.search(stripped) else Strength.NONE


def edge_rule(line: str, is_linked: Callable[[str], bool] | None = None) -> CleanRule | None:
    """The rule that removes ``line`` when it stands at an edge of the text, if any.

    A label (a few words, no punctuation) is only removed when it was a link on the page: sign-offs,
    list endings, recipe facts and table rows have the same shape and are article text.
    """
    strength = cta_strength(line)
    if strength == Strength.PROMPT:
        return CleanRule.EDGE_PROMPT
    if strength == Strength.LINK:
        return CleanRule.EDGE_LINK
    if strength == Strength.LABEL and is_linked is not None and is_linked(line):
        return CleanRule.EDGE_LABEL
    return None


def is_call_to_action(line: str, is_linked: Callable[[str], bool] | None = None) -> bool:
    """Shape test for a call-to-action / UI line; meant for lines at the edges of the text."""
    return edge_rule(line, is_linked) is not None


def is_shouted_line(line: str) -> bool:
    """A whole line in capitals: a promo headline or a label, not article prose."""
    n = word_count(line)
    return 2 <= n <= 20 and _is_shouting(line)


def _is_list_link(line: str) -> bool:
    """A list item with no sentence ending: typically a link to another page."""
    return line.startswith(("- ", "* ", "• ")) and not line.rstrip().endswith((".", ":", ";"))


def _tail_block_start(kept: Sequence[str]) -> int | None:
    """Start of a trailing block of short lines opened by a clear prompt and mostly furniture.

    Related-article lists and newsletter boxes arrive as one block: a prompt, a few UI messages
    and a list of headlines. No single line is clearly junk, but the block is.
    """
    best = None
    junk = 0
    for back, i in enumerate(range(len(kept) - 1, -1, -1)):
        line = kept[i]
        n = word_count(line)
        if back >= TAIL_BLOCK or n > TAIL_BLOCK_MAX_WORDS:
            break
        strength = cta_strength(line)
        prose = _SENTENCE_END.search(line) or introduces_list(line)
        if strength == 0 and n >= TAIL_BLOCK_PROSE_WORDS and prose:
            break  # a full sentence of prose: the article is still going
        junk += strength >= 2 or _is_list_link(line) or is_recirculation(line) or is_shouted_line(line)
        if strength == 3 and junk * 2 >= back + 1:
            best = i
    return best


def list_item_text(line: str) -> str | None:
    """The text of a list line ("- item"), or None when the line is not a list item."""
    if line.startswith(("- ", "* ", "• ")):
        return line[2:].strip()
    return None


def trailing_link_list_start(kept: Sequence[str], is_link_item: Callable[[str], bool]) -> int | None:
    """Start of a list that ends the text and whose items are mostly links on the page.

    A "more stories" box after the article arrives as a bullet list of headlines; a list that belongs
    to the article (steps, key points) is mostly plain text. Whether an item was a link is a fact of
    the page (``is_link_item``), not of the text, which is why the caller answers it.
    """
    start = len(kept)
    while start > 0 and list_item_text(kept[start - 1]) is not None:
        start -= 1
    items = [list_item_text(line) or "" for line in kept[start:]]
    if len(items) < LINK_LIST_MIN_ITEMS or start == 0 or introduces_list(kept[start - 1]):
        return None
    linked = sum(1 for item in items if is_link_item(item))
    return start if linked * 2 >= len(items) else None


def trailing_teasers_start(kept: Sequence[str], opens_with_link: Callable[[str], bool]) -> int | None:
    """Start of the list items ending the text that each open with a linked headline (teasers).

    "More stories" boxes that show a summary under each headline arrive as list items made of the
    linked headline and a plain sentence: the link covers too little of the item for
    :func:`trailing_link_list_start`. Every item of the run must open with a link (a list of the
    article's own may hold a link here and there), the run may follow the article's own list
    directly, and a list the article announces with a sentence of its own stays.
    """
    start = len(kept)
    while start > 0 and (item := list_item_text(kept[start - 1])) is not None and opens_with_link(item):
        start -= 1
    if len(kept) - start < LINK_LIST_MIN_ITEMS or start == 0 or introduces_list(kept[start - 1]):
        return None
    # after an article, not on an index page: prose before the run outweighs both the list items
    # before it and the run itself (a listing, a category page, a docs index is made of such items)
    prose = sum(len(line) for line in kept[:start] if list_item_text(line) is None)
    items = sum(len(line) for line in kept[:start] if list_item_text(line) is not None)
    run = sum(len(line) for line in kept[start:])
    return start if prose > max(items, run) else None


def introduces_list(line: str) -> bool:
    """A sentence of the article that announces what follows ("Here are the ten titles we chose:").

    A box of other stories opens with a label ("Related:", "More from us:"); a list the article itself
    announces with a sentence of its own belongs to the article, links or not.
    """
    return word_count(line) > SHORT_WORDS and line.rstrip().endswith(":") and cta_strength(line) == 0


def _headline_like(line: str) -> bool:
    """Short enough for a headline or a label and not closed like a sentence of body text."""
    return word_count(line) <= LINK_RUN_MAX_WORDS and not is_body_sentence(line)


def _opens_box(line: str) -> bool:
    """A label that opens a box ("DON'T MISS", "Related", "You may also like...")."""
    return word_count(line) <= SHORT_WORDS and cta_strength(line) != Strength.NONE


def link_runs(kept: Sequence[str], is_linked: Callable[[str], bool]) -> list[int]:
    """Indexes of lines in boxes of linked headlines: runs of consecutive lines that were links.

    A box of related stories arrives as lines that each were a link on the page, after the article
    or inside it behind a label; the article's own paragraphs are not links. A run inside the text
    without such a label may be the article's own list of sources or products and stays.
    """
    found: list[int] = []
    i = 0
    while i < len(kept):
        j = i
        while j < len(kept) and _headline_like(kept[j]) and is_linked(kept[j]):
            j += 1
        if j - i >= LINK_RUN_MIN_LINES and not (i > 0 and introduces_list(kept[i - 1])):
            labelled = i > 0 and _opens_box(kept[i - 1])
            if labelled or j == len(kept):
                found.extend(([i - 1] if labelled else []) + list(range(i, j)))
        i = max(j, i + 1)
    return found


def is_shouted_link(line: str, is_linked: Callable[[str], bool]) -> bool:
    """A headline in capitals that was a link on the page: a promo of another page set inside the text.

    News templates drop "READ THIS OTHER STORY" links in capitals between paragraphs. A numbered entry
    ("3. BRAND NAME") is a list article's own heading, a line ending in a colon introduces what follows.
    """
    return (
        is_shouted_line(line)
        and word_count(line) >= SHOUTED_LINK_MIN_WORDS
        and not _LIST_NUMBER.match(line)
        and not line.rstrip().endswith(":")
        and is_linked(line)
    )


def echoes_title(line: str, title: str | None) -> bool:
    """The line repeats (part of) the title: trafilatura sometimes keeps the headline in the body."""
    if not title:
        return False
    line_words = [w.casefold() for w in tokens(line)]
    title_words = [w.casefold() for w in tokens(title)]
    if not line_words or not title_words or len(line_words) > len(title_words) + 3:
        return False
    if line_words == title_words:
        return True
    title_set = set(title_words)
    inside = sum(1 for w in line_words if w in title_set)
    return len(line_words) >= 3 and inside / len(line_words) >= 0.8 and not _SENTENCE_END.search(line)


def clean_lines(
    lines: Sequence[str],
    *,
    titles: Sequence[str | None] = (),
    is_boilerplate: Callable[[str], bool] | None = None,
    is_linked: Callable[[str], bool] | None = None,
    opens_with_link: Callable[[str], bool] | None = None,
) -> Cleaned:
    """Clean extracted text lines; ``is_boilerplate`` answers for lines a site repeats on its pages.

    ``titles`` are the page's titles (headline, ``<title>``, og:title): a line echoing one at the start
    of the text is the headline kept in the body.

    ``is_linked`` answers whether a text (a list item, a label) was mostly a link on the page,
    ``opens_with_link`` whether it opens with a linked headline (a teaser: headline and summary).
    """
    kept = [ln.strip() for ln in lines if ln.strip()]
    removed: list[Removal] = []
    attribution: Attribution | None = None

    def drop(i: int, rule: CleanRule) -> None:
        removed.append(Removal(kept.pop(i), rule))

    # 1. anywhere: site furniture learnt by repetition, doubled captions, credits, recirculation
    i = 0
    while i < len(kept):
        line = kept[i]
        rule = (
            CleanRule.SITE_REPEAT
            if is_boilerplate and is_boilerplate(line)
            else CleanRule.DOUBLED
            if is_doubled(line)
            else CleanRule.CREDIT
            if is_credit(line)
            else CleanRule.RECIRCULATION
            if is_recirculation(line)
            else None
        )
        if rule is not None:
            drop(i, rule)
        else:
            i += 1

    if is_linked is not None:
        for i in reversed(link_runs(kept, is_linked)):
            drop(i, CleanRule.LINK_RUN)
        for i in reversed(range(len(kept))):
            if is_shouted_link(kept[i], is_linked):
                drop(i, CleanRule.SHOUTED_LINK)

    # 2. the tail: attribution lines and calls to action, interleaved in any order
    scanned = 0
    while kept and scanned < EDGE_SCAN:
        line = kept[-1]
        found = parse_attribution(line)
        if found is not None:
            attribution = attribution or found
            drop(len(kept) - 1, CleanRule.ATTRIBUTION)
        elif (rule := edge_rule(line, is_linked)) is not None:
            drop(len(kept) - 1, rule)
        else:
            break
        scanned += 1

    if is_linked is not None:
        start = trailing_link_list_start(kept, is_linked)
        while start is not None and len(kept) > start:
            drop(len(kept) - 1, CleanRule.LINK_LIST)
    if opens_with_link is not None:
        start = trailing_teasers_start(kept, opens_with_link)
        while start is not None and len(kept) > start:
            drop(len(kept) - 1, CleanRule.TEASER_LIST)

    start = _tail_block_start(kept)
    while start is not None and len(kept) > start:
        drop(len(kept) - 1, CleanRule.TAIL_BLOCK)

    # 3. the head: headline echoes, attribution, calls to action
    scanned = 0
    while kept and scanned < EDGE_SCAN:
        line = kept[0]
        found = parse_attribution(line)
        if found is not None:
            attribution = attribution or found
            drop(0, CleanRule.ATTRIBUTION)
        elif any(echoes_title(line, title) for title in titles):
            drop(0, CleanRule.TITLE_ECHO)
        elif (rule := edge_rule(line, is_linked)) is not None:
            drop(0, rule)
        else:
            break
        scanned += 1

    return Cleaned(lines=kept, attribution=attribution, removed=removed)
