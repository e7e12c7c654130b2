"""The discovery providers: news searches newsmon asks for the topics' articles beyond the feed list.

``config/discovery.yaml`` lists them; the schema below is the whole format and ``newsmon discovery check``
prints every problem as FILE:LINE. Two kinds exist:

* ``gdelt``: the GDELT DOC 2.0 API (``mode=artlist``, JSON or RSS answers). GDELT searches the English
  machine translation of everything it monitors (its native-language search was phased out), so its
  queries are built from the topic's English terms and narrowed to a language with ``sourcelang:``;
* ``rss``: any news search that answers RSS/Atom, given as a URL template with ``{query}`` (and
  optionally ``{lang}``); it searches the original text, so its queries use each language's own terms.

``request_spacing`` is the provider's documented rate limit (GDELT: one request per 5 seconds); it becomes
the spacing of the provider's host in the shared politeness (``http/politeness.py``). A provider on a
private address (a test server) needs ``allow_private: true``, which opens its own host:port for its own
requests and nothing else: the article links it returns are fetched under the normal rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsmon.config.feeds import own_host_port, parse_interval
from newsmon.config.yamlfile import ConfigError, Lines, compose, line_for, read, schema_errors


class ProviderKind(StrEnum):
    GDELT = "gdelt"
    RSS = "rss"


class AnswerFormat(StrEnum):
    JSON = "json"
    RSS = "rss"


class QueryTerms(StrEnum):
    """Which of a topic's terms a provider's generated queries are written in."""

    ENGLISH = "english"  # the English terms, narrowed to each language by a filter (GDELT's sourcelang:)
    NATIVE = "native"  # each language's own terms


DEFAULT_INTERVAL = timedelta(minutes=15)
_NAME = "^[a-z0-9][a-z0-9_-]{0,39}$"

PROVIDER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "kind", "url"],
    "properties": {
        "name": {"type": "string", "pattern": _NAME},
        "kind": {"enum": [k.value for k in ProviderKind]},
        "url": {"type": "string", "minLength": 8, "maxLength": 1000},
        "enabled": {"type": "boolean"},
        "format": {"enum": [f.value for f in AnswerFormat]},
        "interval": {"type": ["string", "integer"]},
        "queries_per_run": {"type": "integer", "minimum": 1, "maximum": 500},
        "max_records": {"type": "integer", "minimum": 1, "maximum": 250},
        "timespan": {"type": "string", "pattern": "^[1-9][0-9]{0,3}(min|h|d|w|m)$"},
        "request_spacing": {"type": ["number", "string"]},
        "terms": {"enum": [t.value for t in QueryTerms]},
        "languages": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z]{2}$"},
            "minItems": 1,
            "uniqueItems": True,
        },
        "max_query_length": {"type": "integer", "minimum": 20, "maximum": 2000},
        "max_bytes": {"type": "integer", "minimum": 1024, "maximum": 50_000_000},
        "allow_private": {"type": "boolean"},
        "description": {"type": "string"},
    },
}

DISCOVERY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "newsmon discovery providers",
    "type": "object",
    "additionalProperties": False,
    "required": ["providers"],
    "properties": {"providers": {"type": "array", "items": PROVIDER_SCHEMA}},
}


@dataclass(frozen=True)
class ProviderConfig:
    """One provider as configured (defaults filled in)."""

    name: str
    kind: ProviderKind
    url: str
    enabled: bool = True
    format: AnswerFormat = AnswerFormat.JSON
    interval: timedelta = DEFAULT_INTERVAL
    queries_per_run: int = 10
    max_records: int = 75
    timespan: str = "1d"
    request_spacing: float = 0.0  # seconds between requests to the provider's host
    terms: QueryTerms = QueryTerms.NATIVE
    languages: tuple[str, ...] = ()  # empty: every language of the topics
    max_query_length: int = 250
    max_bytes: int = 5_000_000
    allow_private: bool = False
    description: str = ""

    @property
    def host_port(self) -> frozenset[str]:
        """What ``allow_private`` opens: the provider's own host:port, for its own requests only."""
        return own_host_port(self.url.replace("{query}", "q").replace("{lang}", "en"))

    def allowed_private(self) -> frozenset[str]:
        return self.host_port if self.allow_private else frozenset()

    def covers(self, lang: str) -> bool:
        return not self.languages or lang in self.languages


_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def _seconds(value: Any) -> float:
    """ "5s", "2m", "1m30s", or a number of seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*(\d+\s*[dhms]\s*)+", value):
        seconds = float(sum(int(n) * _UNITS[u] for n, u in re.findall(r"(\d+)\s*([dhms])", value)))
    else:
        raise ValueError(f"request_spacing must be seconds like 5 or '5s', not {value!r}")
    if not 0 <= seconds <= 3600:
        raise ValueError(f"request_spacing {value!r} is outside 0s..1h")
    return seconds


def _provider(
    raw: dict[str, Any], at: tuple[Any, ...], lines: Lines, label: str
) -> tuple[ProviderConfig | None, list[str]]:
    errors: list[str] = []

    def fail(field: str, message: str) -> None:
        errors.append(f"{label}:{line_for(lines, (*at, field))}: {message}")

    kind = ProviderKind(raw["kind"])
    url = raw["url"].strip()
    parts = urlsplit(url.replace("{query}", "q").replace("{lang}", "en"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        fail("url", f"url must be an http(s) URL with a host, not {url!r}")
    if kind == ProviderKind.RSS and "{query}" not in url:
        fail("url", "an rss provider's url is a template: it needs {query} (and may use {lang})")
    if kind == ProviderKind.GDELT and ("{" in url or parts.query):
        fail("url", "a gdelt provider's url is the API endpoint alone (newsmon adds the query parameters)")
    for field in ("format", "timespan"):
        if kind == ProviderKind.RSS and field in raw:
            fail(field, f"{field} applies to gdelt providers only")
    interval = DEFAULT_INTERVAL
    if "interval" in raw:
        try:
            interval = parse_interval(raw["interval"])
        except ValueError as exc:
            fail("interval", str(exc))
    spacing = 5.0 if kind == ProviderKind.GDELT else 1.0
    if "request_spacing" in raw:
        try:
            spacing = _seconds(raw["request_spacing"])
        except ValueError as exc:
            fail("request_spacing", str(exc))
    if errors:
        return None, errors
    default_terms = QueryTerms.ENGLISH if kind == ProviderKind.GDELT else QueryTerms.NATIVE
    return ProviderConfig(
        name=raw["name"],
        kind=kind,
        url=url,
        enabled=bool(raw.get("enabled", True)),
        format=AnswerFormat(raw.get("format", AnswerFormat.JSON)),
        interval=interval,
        queries_per_run=int(raw.get("queries_per_run", 10)),
        max_records=int(raw.get("max_records", 75)),
        timespan=str(raw.get("timespan", "1d")),
        request_spacing=spacing,
        terms=QueryTerms(raw.get("terms", default_terms)),
        languages=tuple(raw.get("languages", ())),
        max_query_length=int(raw.get("max_query_length", 250)),
        max_bytes=int(raw.get("max_bytes", 5_000_000)),
        allow_private=bool(raw.get("allow_private", False)),
        description=str(raw.get("description", "")),
    ), []


def load_discovery_text(text: str, *, source: str = "<string>") -> list[ProviderConfig]:
    """Parse and validate discovery YAML; raises :class:`ConfigError` listing every problem."""
    data, lines = compose(text, source, empty="empty file; expected 'providers:' with a list of providers")
    errors = schema_errors(data, lines, source, DISCOVERY_SCHEMA)
    if errors:
        raise ConfigError(errors)
    providers: list[ProviderConfig] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(data["providers"] or []):
        at = ("providers", i)
        line = line_for(lines, (*at, "name"))
        if raw["name"] in seen:
            first = seen[raw["name"]]
            errors.append(f"{source}:{line}: duplicate provider name {raw['name']!r} (first at line {first})")
            continue
        seen[raw["name"]] = line
        provider, problems = _provider(raw, at, lines, source)
        errors.extend(problems)
        if provider is not None:
            providers.append(provider)
    if errors:
        raise ConfigError(errors)
    return providers


def load_discovery(path: Path) -> list[ProviderConfig]:
    """Read and validate the discovery file at ``path``."""
    return load_discovery_text(read(path), source=str(path))
