"""Where the bundled demo corpus lives and what it is supposed to contain.

The corpus is a folder of static files (`site/`, served as a web root by `newsmon.demo.server`) plus
`expected.json`, the hand-written truth about it: the demo sites with their feeds, and for every
article page its site, language, story key, whether it is the original copy, its kind (positive,
adult_returnees, hostages, remains, profits, artefacts, unrelated) and the flag it should get for the
`child_repatriation` topic. The site catalogue sits in the same file as the truth so that the server
and the tests can never disagree about which feeds exist.

Links inside the files are written as `{{BASE}}/wire/...`; the server swaps in its own base URL when it
serves them, because the port is only known once the server has started.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEMO_DIR = Path(__file__).resolve().parent
SITE_ROOT = DEMO_DIR / "site"
EXPECTED_PATH = DEMO_DIR / "expected.json"
PLACEHOLDER = "{{BASE}}"


def load_expected() -> dict[str, Any]:
    """Return a fresh copy of expected.json (callers may change it freely)."""
    expected: dict[str, Any] = json.loads(EXPECTED_PATH.read_text(encoding="utf-8"))
    return expected


def sites() -> dict[str, dict[str, Any]]:
    """The demo sites by path prefix ("wire", "daily", ...): name, feed path, format, lang, tags."""
    by_prefix: dict[str, dict[str, Any]] = load_expected()["sites"]
    return by_prefix
