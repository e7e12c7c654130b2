"""Tell a login or subscription wall from a short article.

A walled page still answers 200 with HTML, and trafilatura happily returns its prompt as "text".
Keeping that prompt would make every walled copy of a site look alike and hide the topic. A page is
a wall when little text remains and either the page carries a password field or the text is
dominated by a sign-in / subscribe-to-continue prompt.
"""

from __future__ import annotations

import re

_PROMPT = re.compile(
    r"(?:(?:log|sign)\s*-?\s*in|subscribe|register|create (?:a |an )?(?:free )?account)\s+"
    r"(?:now\s+)?(?:to|for)\s+(?:continue|read|view|access|see|keep reading|unlock)|"
    r"already (?:a )?(?:subscriber|member|registered)|"
    r"(?:only|exclusively)\s+(?:available\s+)?(?:to|for)\s+(?:subscribers|members|registered users)|"
    r"(?:subscribers|members)[- ]only|paywall|"
    r"войдите|авторизуйтесь|зарегистрируйтесь,? чтобы|доступ(?:ен)? только (?:для )?подписчик|"
    r"melden sie sich an|connectez-vous pour|inicia sesión para",
    re.IGNORECASE,
)


def looks_like_login_wall(text: str, *, has_password: bool, max_chars: int = 600) -> bool:
    """True when ``text`` (already extracted and cleaned) is what a login/subscription wall leaves."""
    if len(text) >= max_chars:
        return False
    if has_password:
        return True
    return bool(_PROMPT.search(text))
