"""The languages a topic can have terms for: which morphology each gets, which codes name it, and which
covered language can stand in for one a topic lacks.

Morphology comes from kept libraries, never from suffix lists written here:

- a Snowball stemmer (PyStemmer) where Snowball has the language;
- otherwise words are matched as written, and the topic writes prefix terms (``балалар*``) for the
  inflected forms. That is how Kazakh, Uzbek, Kyrgyz, Tajik, Azerbaijani, Ukrainian and Albanian work.

Uzbek and Kazakh are written in Cyrillic and in Latin letters: for them (``fold="latin"``) every word, of
the text and of the terms alike, is compared in one folded Latin form, so one term matches both scripts.
Serbian Cyrillic needs nothing of the kind: Snowball's Serbian stemmer reads both alphabets.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Language:
    """One language as topics see it; `code` is the key of its terms in a topic file."""

    code: str
    name: str
    stemmer: str | None = None  # Snowball algorithm name in PyStemmer; None: words match as written
    aliases: tuple[str, ...] = ()  # other codes that pages, feeds or the detector give for it
    fold: str = ""  # how words are compared besides lower case: "latin" (Cyrillic and Latin spellings
    # fold to one Latin form), "letters" (the language's extra letters fold to their plain twins, as
    # sites without them write), "accents" (without accents)
    apostrophe_letters: bool = False  # ' inside a word is a letter (Uzbek o'g'il), not a word break

    @property
    def morphology(self) -> str:
        how = f"Snowball {self.stemmer} stemmer" if self.stemmer else "words as written + prefix terms"
        extra = {"latin": "; Cyrillic and Latin spellings folded", "letters": "; extra letters folded",
                 "accents": "; accents ignored"}.get(self.fold, "")  # fmt: skip
        return how + extra


_TABLE = (
    Language("en", "English", "english"),
    Language("ru", "Russian", "russian"),
    Language("de", "German", "german"),
    Language("fr", "French", "french"),
    Language("ar", "Arabic", "arabic", aliases=("ary", "arz")),
    Language("es", "Spanish", "spanish"),
    Language("it", "Italian", "italian"),
    Language("pt", "Portuguese", "portuguese"),
    Language("nl", "Dutch", "dutch"),
    Language("pl", "Polish", "polish"),
    Language("sv", "Swedish", "swedish"),
    Language("no", "Norwegian", "norwegian", aliases=("nb", "nn")),
    Language("da", "Danish", "danish"),
    Language("fi", "Finnish", "finnish"),
    Language("tr", "Turkish", "turkish"),
    Language("uk", "Ukrainian"),
    Language("sq", "Albanian"),
    Language("sh", "Bosnian/Croatian/Serbian", "serbian", aliases=("bs", "hr", "sr", "me", "cnr", "hbs")),
    Language("kk", "Kazakh", fold="latin"),
    Language("uz", "Uzbek", fold="latin", apostrophe_letters=True, aliases=("uzs",)),
    Language("tg", "Tajik", fold="letters"),
    Language("ky", "Kyrgyz"),
    Language("az", "Azerbaijani"),
    Language("fa", "Persian", "persian", aliases=("prs",)),
    Language("id", "Indonesian", "indonesian"),
    Language("hu", "Hungarian", "hungarian"),
    Language("ro", "Romanian", "romanian", fold="accents", aliases=("mo",)),
    Language("cs", "Czech", "czech"),
    Language("el", "Greek", "greek", fold="accents"),
    Language("ca", "Catalan", "catalan"),
)

LANGUAGES: dict[str, Language] = {lang.code: lang for lang in _TABLE}
_BY_ALIAS: dict[str, str] = {a: lang.code for lang in _TABLE for a in lang.aliases}

#: A language a topic lacks may be read with the terms of a close one (mutually intelligible or sharing
#: most of its vocabulary). A flag found that way is still marked "language not covered".
NEAR: dict[str, tuple[str, ...]] = {
    "sk": ("cs",),
    "sl": ("sh",),
    "mk": ("sh",),
    "be": ("ru", "uk"),
    "bg": ("ru",),
    "ms": ("id",),
    "gl": ("pt", "es"),
    "ca": ("es",),
    "oc": ("fr", "ca"),
    "af": ("nl",),
    "lb": ("de",),
    "fy": ("nl",),
    "crh": ("tr",),
    "tk": ("tr", "az"),
    "tt": ("kk",),
    "ba": ("kk",),
    "ky": ("kk",),
    "kk": ("ky",),
    "ug": ("uz",),
}


def language_key(code: str | None) -> str | None:
    """The topic-file key for a language code from a page, a feed or the detector.

    "en-GB" -> "en", "nb" -> "no", "hr"/"bs"/"sr" -> "sh"; an unknown code is kept (lower case) so the
    caller can still tell the text is in a language no topic covers.
    """
    if not code:
        return None
    primary = code.replace("_", "-").split("-")[0].strip().lower()
    if not primary.isalpha():
        return None
    return _BY_ALIAS.get(primary, primary)


# ------------------------------------------------------------------------------- word comparison forms

# Cyrillic letters of Uzbek and Kazakh as Latin, in the spelling their Latin alphabets use once the
# diacritics are dropped (ә -> a, қ -> q, ў/o' -> o, ш -> sh): a Cyrillic word and its Latin spelling
# then fold to the same letters. Where the two alphabets differ, the language's own table says so.
_CYRILLIC_TO_LATIN = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j",
    "з": "z", "и": "i", "й": "y", "і": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "n",
    "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ў": "o",
    "ф": "f", "х": "x", "ҳ": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_KAZAKH = {**_CYRILLIC_TO_LATIN, "х": "h", "й": "i", "ю": "iu", "я": "ia"}
# Latin letters of the Turkic alphabets and their digraph spellings, to the same folded form.
_LATIN_FOLD = {"ı": "i", "ş": "sh", "ç": "ch", "ğ": "g", "ñ": "n", "ŋ": "n", "ə": "a"}
_APOSTROPHES = "'’‘ʻʼ`´"
_VOWELS = set("aeiouаәеёиоөуұүыэюяіў")
# Tajik sites without the extra letters write their plain twins
_TAJIK = str.maketrans({"ӯ": "у", "ӣ": "и", "қ": "к", "ҳ": "х", "ҷ": "ч", "ғ": "г"})


def _fold(word: str, table: dict[str, str], initial_ye: bool) -> str:
    out: list[str] = []
    prev = ""
    for ch in word:
        if ch in _APOSTROPHES:
            continue
        if initial_ye and ch == "е" and (not prev or prev in _VOWELS):
            out.append("ye")  # Uzbek Latin writes a word-initial е as "ye"
        elif ch in table:
            out.append(table[ch])
        elif ch in _LATIN_FOLD:
            out.append(_LATIN_FOLD[ch])
        else:
            out.append(ch)
        prev = ch
    folded = unicodedata.normalize("NFKD", "".join(out))
    return "".join(c for c in folded if not unicodedata.combining(c))


def _fold_uzbek(word: str) -> str:
    return _fold(word, _CYRILLIC_TO_LATIN, initial_ye=True)


def _fold_kazakh(word: str) -> str:
    return _fold(word, _KAZAKH, initial_ye=False)


def _fold_tajik(word: str) -> str:
    return word.translate(_TAJIK)


def _drop_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


_FOLDS = {"uz": _fold_uzbek, "kk": _fold_kazakh, "tg": _fold_tajik}


@lru_cache(maxsize=64)
def comparison_form(code: str | None) -> Callable[[str], str] | None:
    """A function that turns a normalised word into the form a language compares words in."""
    lang = LANGUAGES.get(code or "")
    if lang is None or not lang.fold:
        return None
    if lang.fold == "accents":
        return _drop_accents
    return _FOLDS[lang.code]
