"""Tell a login or subscription wall from a short article, on evidence of a wall in the text.

A walled page still answers 200 with HTML, and trafilatura happily returns its prompt or teaser as
"text". Keeping that would make every walled copy of a site look alike and hide the topic. But a
password box alone is no evidence: sites put a login form in the header, a sidebar or a modal of every
page, beside complete articles. A short text is a wall only when

- the extracted text carries a wall prompt ("subscribe to continue reading", "already a subscriber"):
  what came out is a teaser and the wall's own words, or
- the extractor took the login form itself for the content: its labels (password, user name) are the
  text, and the page has a password field.

Paywall markup (schema.org ``isAccessibleForFree: false``) is not enough either: paywalled sites serve
complete articles to crawlers under it, and a short text under it with no wall in sight is a short text.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

# Longer texts are articles even when the page has a wall somewhere (the full text was served).
WALL_MAX_CHARS = 1000

# A wall's call to get past it: log in, subscribe or register to continue.
_PROMPT = re.compile(
    r"(?:(?:log|sign)\s*-?\s*in|subscribe|register|create (?:a |an )?(?:free )?account)\s+"
    r"(?:now\s+)?(?:to|for)\s+(?:continue|read|view|access|see|keep reading|unlock)|"
    r"already (?:a )?(?:subscriber|member|registered)|(?:must|need to) be (?:logged|signed) in|"
    r"войдите|авторизуйтесь|зарегистрируйтесь,? чтобы|"
    r"melden sie sich an,? um (?:weiterzulesen|[^.]{0,40}zu lesen)|(?:weiterlesen|lesen sie weiter) mit|"
    r"bereits abonnent|connectez-vous pour|inicia sesión para|zaloguj się,? aby",
    re.IGNORECASE,
)
# A label saying the content is for subscribers: evidence only when it is (most of) the text itself.
_BADGE = re.compile(
    r"(?:only|exclusively)\s+(?:available\s+)?(?:to|for)\s+(?:subscribers|members|registered users)|"
    r"(?:subscribers|members)[- ]only|доступ(?:ен)? только (?:для )?подписчик|"
    r"(?:exklusiv|nur) für (?:abonnenten|abonnentinnen|abonnierende|registrierte)|"
    r"réservé aux abonnés|exclusivo para suscriptores|"
    r"tylko dla (?:subskrybentów|prenumeratorów|zalogowanych)",
    re.IGNORECASE,
)
_PASSWORD_WORD = re.compile(r"\b(?:password|passwort|kennwort|hasło|пароль|mot de passe|contraseña)\b", re.I)
_LOGIN_WORD = re.compile(
    r"\b(?:user ?name|benutzername|e-?mail|login|log in|sign in|anmelden|einloggen|forgot|vergessen|"
    r"remember me|angemeldet bleiben|логин|войти|zaloguj|identifiant|usuario)\b",
    re.I,
)


class WallEvidence(StrEnum):
    """Why a page was taken for a wall (logged with the outcome)."""

    PROMPT = "wall prompt in the text"
    LOGIN_FORM = "the login form is the text"


def has_password_field(tree: Any) -> bool:
    """A password input somewhere on the page (not evidence of a wall by itself)."""
    return bool(tree.xpath("//input[translate(@type,'PASSWORD','password')='password']"))


def _after_text(region: Any, text: str) -> str:
    """The region's text after the extracted text ends: where a wall follows its teaser ("" if unknown)."""
    flat = " ".join(region.text_content().split())
    lines = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
    if not lines:
        return flat
    at = flat.rfind(lines[-1][-60:])
    return flat[at + len(lines[-1][-60:]) :] if at >= 0 else ""


def wall_evidence(raw_text: str, text: str, tree: Any, region: Any | None = None) -> WallEvidence | None:
    """Evidence that ``text`` (cleaned; ``raw_text`` as extracted) is what a wall leaves, or None.

    The prompt is looked for in the raw text (the cleaner removes calls to action from the edges) and
    in the article's ``region`` of the page after the text ends (the extractor itself drops the wall box
    that follows a teaser); a prompt elsewhere (a "subscribers only" badge above a complete text, a
    modal every page carries, "log in to comment") is no evidence.
    """
    if len(text) >= WALL_MAX_CHARS:
        return None
    if _PROMPT.search(raw_text) or _BADGE.search(raw_text):
        return WallEvidence.PROMPT
    if region is not None and _PROMPT.search(_after_text(region, text)):
        return WallEvidence.PROMPT
    if _PASSWORD_WORD.search(raw_text) and _LOGIN_WORD.search(raw_text) and has_password_field(tree):
        return WallEvidence.LOGIN_FORM
    return None
