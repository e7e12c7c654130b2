"""The feed list: a YAML file people edit by hand, and OPML, the format every feed reader speaks.

Validation reports every problem at once as "FILE:LINE: what is wrong" (line numbers from the YAML
node marks), because an operator fixing a 300-line file should not have to run the check 30 times.

OPML export/import round-trips url, name, lang, tags and interval. ``allow_private`` is deliberately
not carried through OPML: importing someone else's list must never open the local network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

import yaml

from newsmon.config.yamlfile import ConfigError, read, syntax_error

_INTERVAL = re.compile(
    r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$", re.IGNORECASE
)
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_TAG = re.compile(r"^[\w][\w .:+-]{0,63}$")
MIN_INTERVAL = timedelta(minutes=1)
MAX_INTERVAL = timedelta(days=7)
_KEYS = ("url", "name", "lang", "tags", "interval", "allow_private")


@dataclass(frozen=True)
class FeedConfig:
    url: str
    name: str
    lang: str | None = None
    tags: tuple[str, ...] = ()
    interval: timedelta | None = None
    allow_private: bool = False

    def allowed_private_pairs(self) -> frozenset[str]:
        """The single "host:port" this feed may reach on a private address (empty unless allow_private)."""
        return own_host_port(self.url) if self.allow_private else frozenset()


def own_host_port(url: str) -> frozenset[str]:
    """The one "host:port" a URL names: what `allow_private` opens for a feed, and nothing more."""
    from newsmon.http.ssrf import host_port_key

    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return frozenset({host_port_key(parts.hostname or "", port)})


def parse_interval(value: Any) -> timedelta:
    """ "90s", "15m", "2h", "1d", "1h30m", or a number of minutes. Raises ValueError with a readable text."""
    if isinstance(value, bool):
        raise ValueError(f"interval must be like '30m' or '2h', not {value!r}")
    if isinstance(value, int | float):
        result = timedelta(minutes=value)
    elif isinstance(value, str) and value.strip() and (m := _INTERVAL.match(value)) and any(m.groups()):
        days, hours, minutes, seconds = (int(g or 0) for g in m.groups())
        result = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    else:
        raise ValueError(f"interval must be like '30m' or '2h', not {value!r}")
    if not MIN_INTERVAL <= result <= MAX_INTERVAL:
        raise ValueError(
            f"interval {value!r} is outside {format_interval(MIN_INTERVAL)}..{format_interval(MAX_INTERVAL)}"
        )
    return result


def format_interval(value: timedelta) -> str:
    """The shortest "1d2h30m"-style spelling of a timedelta (inverse of :func:`parse_interval`)."""
    total = int(value.total_seconds())
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, total = divmod(total, size)
        if count:
            out += f"{count}{unit}"
    return out or "0s"


def _check_url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("url must be a non-empty string")
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"url must be an http(s) URL with a host, not {url!r}")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise ValueError(f"url has an invalid port: {url!r}") from exc
    return url


def _check_tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [t for t in value.split(",")]
    if not isinstance(value, list):
        raise ValueError("tags must be a list of strings")
    tags = []
    for tag in value:
        if not isinstance(tag, str) or not _TAG.match(tag.strip()):
            raise ValueError(f"tags: invalid tag {tag!r} (letters, digits, space, . : + - ; at most 64)")
        tags.append(tag.strip())
    return tuple(dict.fromkeys(tags))


def _feed_from_mapping(raw: dict[str, Any]) -> FeedConfig:
    """Validate one plain mapping (shared by YAML and OPML paths). Raises ValueError(field, message)."""
    unknown = sorted(set(raw) - set(_KEYS), key=str)
    if unknown:
        raise ValueError(
            "unknown key(s): " + ", ".join(map(str, unknown)) + f" (allowed: {', '.join(_KEYS)})"
        )
    url = _check_url(raw.get("url"))
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name must be a non-empty string")
    lang = raw.get("lang")
    if lang is not None and (not isinstance(lang, str) or not _LANG.match(lang)):
        raise ValueError(f"lang must be a language code like 'en' or 'pt-BR', not {lang!r}")
    interval = raw.get("interval")
    allow_private = raw.get("allow_private", False)
    if not isinstance(allow_private, bool):
        raise ValueError("allow_private must be true or false")
    return FeedConfig(
        url=url,
        name=name.strip(),
        lang=lang,
        tags=_check_tags(raw.get("tags") or []),
        interval=parse_interval(interval) if interval is not None else None,
        allow_private=allow_private,
    )


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def load_feeds_text(text: str, *, source: str = "<string>") -> list[FeedConfig]:
    """Parse and validate feed-list YAML; raises :class:`ConfigError` listing every problem."""
    loader = yaml.SafeLoader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise syntax_error(exc, source, unknown_line=1) from None
        if root is None:
            raise ConfigError([f"{source}:1: empty file; expected 'feeds:' with a list of feeds"])
        if not isinstance(root, yaml.MappingNode):
            raise ConfigError([f"{source}:{_line(root)}: expected a mapping with a 'feeds:' key"])
        feeds_node = None
        errors: list[str] = []
        for key_node, value_node in root.value:
            if key_node.value == "feeds":
                feeds_node = value_node
            else:
                errors.append(f"{source}:{_line(key_node)}: unknown top-level key {key_node.value!r}")
        if feeds_node is None:
            raise ConfigError([*errors, f"{source}:1: missing 'feeds:' key"])
        if not isinstance(feeds_node, yaml.SequenceNode):
            raise ConfigError([*errors, f"{source}:{_line(feeds_node)}: 'feeds' must be a list"])
        feeds: list[FeedConfig] = []
        seen: dict[str, int] = {}
        for item in feeds_node.value:
            line = _line(item)
            if not isinstance(item, yaml.MappingNode):
                errors.append(f"{source}:{line}: each feed must be a mapping with url and name")
                continue
            raw: dict[str, Any] = {}
            lines: dict[str, int] = {}
            for key_node, value_node in item.value:
                try:
                    raw[key_node.value] = loader.construct_object(value_node, deep=True)
                except yaml.YAMLError as exc:
                    errors.append(f"{source}:{_line(value_node)}: {exc}")
                lines[key_node.value] = _line(value_node)
            try:
                feed = _feed_from_mapping(raw)
            except ValueError as exc:
                message = str(exc)
                field = next((k for k in _KEYS if message.startswith(k)), None)
                errors.append(f"{source}:{lines.get(field, line) if field else line}: {message}")
                continue
            if feed.url in seen:
                errors.append(f"{source}:{line}: duplicate url {feed.url} (first at line {seen[feed.url]})")
                continue
            seen[feed.url] = line
            feeds.append(feed)
        if errors:
            raise ConfigError(errors)
        return feeds
    finally:
        loader.dispose()


def load_feeds(path: Path) -> list[FeedConfig]:
    """Read and validate the feed-list YAML file at ``path``."""
    return load_feeds_text(read(path), source=str(path))


def dump_feeds_yaml(feeds: Iterable[FeedConfig]) -> str:
    """The YAML text :func:`load_feeds` reads back to the same list."""
    items = []
    for feed in feeds:
        item: dict[str, Any] = {"url": feed.url, "name": feed.name}
        if feed.lang:
            item["lang"] = feed.lang
        if feed.tags:
            item["tags"] = list(feed.tags)
        if feed.interval:
            item["interval"] = format_interval(feed.interval)
        if feed.allow_private:
            item["allow_private"] = True
        items.append(item)
    header = "# The feeds newsmon polls. `newsmon feeds check FILE` validates this file.\n"
    return header + yaml.safe_dump({"feeds": items}, sort_keys=False, allow_unicode=True, width=110)


def _outline_feeds(element: Any, folders: tuple[str, ...], out: list[dict[str, Any]]) -> None:
    for child in element:
        if not isinstance(child.tag, str) or child.tag.rsplit("}", 1)[-1] != "outline":
            continue
        label = (child.get("title") or child.get("text") or "").strip()
        xml_url = child.get("xmlUrl") or child.get("xmlurl")
        if xml_url:
            tags = list(folders)
            for cat in (child.get("category") or "").split(","):
                tags.extend(p for p in cat.strip().split("/") if p.strip())
            raw: dict[str, Any] = {
                "url": xml_url.strip(),
                "name": label or urlsplit(xml_url).hostname or xml_url,
            }
            lang = child.get("language")
            if lang:
                raw["lang"] = lang.strip()
            if tags:
                raw["tags"] = [t.strip() for t in tags]
            if child.get("newsmonInterval"):
                raw["interval"] = child.get("newsmonInterval")
            out.append({"raw": raw, "label": label or xml_url})
        else:
            _outline_feeds(child, (*folders, label) if label else folders, out)


def import_opml_text(text: str | bytes, *, source: str = "<opml>") -> list[FeedConfig]:
    """Feeds from OPML (outline folders become tags); raises :class:`ConfigError` for every bad outline."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(text)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise ConfigError([f"{source}:1: not a readable OPML file: {exc}"]) from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise ConfigError([f"{source}:1: not an OPML document (no <opml><body>)"])
    found: list[dict[str, Any]] = []
    _outline_feeds(body, (), found)
    feeds: list[FeedConfig] = []
    errors: list[str] = []
    seen: set[str] = set()
    for item in found:
        try:
            feed = _feed_from_mapping(item["raw"])
        except ValueError as exc:
            errors.append(f"{source}: outline {item['label']!r}: {exc}")
            continue
        if feed.url not in seen:
            seen.add(feed.url)
            feeds.append(feed)
    if errors:
        raise ConfigError(errors)
    return feeds


def import_opml(path: Path | str) -> list[FeedConfig]:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError([f"{path}:1: cannot read: {exc}"]) from None
    return import_opml_text(data, source=str(path))


def export_opml(feeds: Iterable[FeedConfig], *, title: str = "newsmon feeds") -> str:
    """OPML 2.0 text; tags go to ``category`` (comma-separated), interval to ``newsmonInterval``."""
    created = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{escape(title)}</title><dateCreated>{created}</dateCreated></head>",
        "  <body>",
    ]
    for feed in feeds:
        attrs = [
            ("type", "rss"),
            ("text", feed.name),
            ("title", feed.name),
            ("xmlUrl", feed.url),
        ]
        if feed.lang:
            attrs.append(("language", feed.lang))
        if feed.tags:
            attrs.append(("category", ",".join(feed.tags)))
        if feed.interval:
            attrs.append(("newsmonInterval", format_interval(feed.interval)))
        lines.append("    <outline " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs) + "/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
