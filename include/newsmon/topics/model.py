"""Topic definitions: the YAML format users write, its schema, and validation errors that name FILE:LINE.

A topic file is read in two passes: PyYAML *composes* the node tree (which knows the line of every key
and value), then the plain data is checked against a JSON Schema and a few cross-field rules (rules
must name defined concepts, term patterns must compile). Every problem is reported as
``TopicConfigError("FILE:LINE: what is wrong")`` so a user editing the file can jump straight to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from newsmon.topics.schema import TOPIC_SCHEMA
from newsmon.topics.text import SNOWBALL_LANGUAGES, pattern_words, term_words

NEUTRAL = "any"  # the key of language-neutral terms (names, acronyms) inside a concept
TOPIC_SUFFIXES = (".yaml", ".yml")


class TopicConfigError(ValueError):
    """A topic file is unreadable or invalid; the message reads "FILE:LINE: what is wrong"."""


@dataclass(frozen=True)
class Rule:
    """A weighted pattern over concepts; negative weight means a cue that lowers the score.

    within: "sentence" (all concepts in one sentence), "document" (anywhere) or a number of words
    (a hit of the first concept with every other one at most that many words away).
    """

    name: str
    all: tuple[str, ...]
    any: tuple[str, ...]
    within: str | int
    weight: float
    max_count: int
    negative: bool = False


@dataclass(frozen=True)
class Topic:
    """One topic, as loaded from ``<name>.yaml``. Concept terms are kept verbatim, per language."""

    name: str
    title: str
    threshold: float
    recipients: tuple[str, ...]
    languages: tuple[str, ...] = ("en",)
    concepts: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    # The subject's context: a text that mentions none of these concepts anywhere is never flagged,
    # however much else matches (migrant or abducted children "returned" have no ISIS camp in them).
    requires: tuple[str, ...] = ()
    title_boost: float = 1.5
    proximity: int = 12
    max_evidence: int = 6
    description: str = ""
    path: Path | None = None
    enabled: bool = True

    @property
    def positive_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if not r.negative)

    @property
    def negative_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.negative)


# ---------------------------------------------------------------------------------------------- loading


def load_topics(directory: Path) -> list[Topic]:
    """Load every ``*.yaml``/``*.yml`` file of a directory, sorted by name; the first error raises.

    Raising (rather than skipping a bad file) is deliberate: a silently ignored topic means alerts that
    never come. ``newsmon topics check`` lists *all* errors instead (see `check_topics`).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise TopicConfigError(f"{directory}:0: topics directory does not exist")
    topics = [load_topic(p) for p in sorted(directory.iterdir()) if p.suffix in TOPIC_SUFFIXES]
    seen: dict[str, Path] = {}
    for t in topics:
        if t.name in seen:  # "a.yaml" and "a.yml"
            raise TopicConfigError(f"{t.path}:1: topic name {t.name!r} already defined by {seen[t.name]}")
        seen[t.name] = t.path  # type: ignore[assignment]
    return topics


def check_topics(directory: Path) -> list[str]:
    """Validate every topic file of a directory; return all error messages (empty list = all good)."""
    directory = Path(directory)
    if not directory.is_dir():
        return [f"{directory}:0: topics directory does not exist"]
    errors: list[str] = []
    for p in sorted(directory.iterdir()):
        if p.suffix in TOPIC_SUFFIXES:
            try:
                load_topic(p)
            except TopicConfigError as exc:
                errors.append(str(exc))
    return errors


def load_topic(path: Path) -> Topic:
    """Read and validate one topic file; the topic's name is the file stem."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TopicConfigError(f"{path}:0: cannot read topic file: {exc}") from exc
    return parse_topic(source, name=path.stem, path=path)


_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


def parse_topic(source: str, *, name: str, path: Path | str = "<topic>") -> Topic:
    """Parse topic YAML text; `path` only labels error messages. Useful for tests and the UI editor."""
    label = str(path)
    if not _NAME_RE.match(name):
        raise TopicConfigError(
            f"{label}:1: topic file name {name!r} must be lower-case letters, digits, _ or -"
        )
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise TopicConfigError(f"{label}:{line}: YAML syntax error: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise TopicConfigError(f"{label}:0: YAML error: {exc}") from exc
    if node is None:
        raise TopicConfigError(f"{label}:1: topic file is empty")
    lines: dict[tuple[Any, ...], int] = {}
    _index_lines(node, (), lines, label)
    data = yaml.safe_load(source)
    _validate_schema(data, lines, label)
    return _build_topic(data, name=name, path=Path(path), lines=lines, label=label)


def _index_lines(node: yaml.Node, at: tuple[Any, ...], lines: dict[tuple[Any, ...], int], label: str) -> None:
    """Record the 1-based line of every value by its JSON path; reject duplicate keys (YAML keeps the
    last one silently, which would hide a user's mistake)."""
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise TopicConfigError(f"{label}:{key_node.start_mark.line + 1}: duplicate key {key!r}")
            seen.add(key)
            _index_lines(value_node, (*at, key), lines, label)
            lines[(*at, key, "__key__")] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*at, i), lines, label)


def _line_for(lines: Mapping[tuple[Any, ...], int], at: tuple[Any, ...]) -> int:
    """The line of the deepest known node on a path (a missing key reports its parent mapping)."""
    at = tuple(str(p) if not isinstance(p, int) else p for p in at)
    while at:
        if at in lines:
            return lines[at]
        at = at[:-1]
    return lines.get((), 1)


def _validate_schema(data: Any, lines: Mapping[tuple[Any, ...], int], label: str) -> None:
    import jsonschema  # only needed when loading topics, not on every `import newsmon`

    validator = jsonschema.Draft202012Validator(TOPIC_SCHEMA)
    located = sorted(
        ((_error_line(e, lines), e.message, e) for e in validator.iter_errors(data)), key=lambda x: x[:2]
    )
    if located:
        line, message, err = located[0]
        where = "/".join(str(p) for p in err.absolute_path) or "top level"
        more = f" (and {len(located) - 1} more problem(s))" if len(located) > 1 else ""
        raise TopicConfigError(f"{label}:{line}: {where}: {message}{more}")


def _error_line(err: Any, lines: Mapping[tuple[Any, ...], int]) -> int:
    """The line to blame: an unexpected key's own line rather than its parent mapping's."""
    at = tuple(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = err.schema.get("properties", {})
        for key in err.instance:
            if key not in allowed and (*at, key, "__key__") in lines:
                return lines[(*at, key, "__key__")]
    return _line_for(lines, at)


def _build_topic(
    data: Mapping[str, Any], *, name: str, path: Path, lines: Mapping[tuple[Any, ...], int], label: str
) -> Topic:
    def fail(at: tuple[Any, ...], message: str) -> TopicConfigError:
        return TopicConfigError(f"{label}:{_line_for(lines, at)}: {message}")

    languages = tuple(data.get("languages", ["en"]))
    for i, lang in enumerate(languages):
        if lang not in SNOWBALL_LANGUAGES:
            known = ", ".join(sorted(SNOWBALL_LANGUAGES))
            raise fail(("languages", i), f"language {lang!r} has no stemmer; use one of: {known}")

    concepts: dict[str, Mapping[str, tuple[str, ...]]] = {}
    for cname, per_lang in data["concepts"].items():
        terms: dict[str, tuple[str, ...]] = {}
        for lang, words in per_lang.items():
            if lang != NEUTRAL and lang not in languages:
                raise fail(
                    ("concepts", cname, lang, "__key__"),
                    f"concept {cname}: language {lang!r} is not listed in `languages` {list(languages)}",
                )
            for i, term in enumerate(words):
                problem = term_problem(term)
                if problem:
                    raise fail(("concepts", cname, lang, i), f"concept {cname}, term {term!r}: {problem}")
            terms[lang] = tuple(words)
        concepts[cname] = MappingProxyType(terms)

    rules: list[Rule] = []
    names: set[str] = set()
    for section, negative in (("rules", False), ("negatives", True)):
        for i, raw in enumerate(data.get(section, [])):
            rname = raw["name"]
            if rname in names:
                raise fail((section, i, "name"), f"rule name {rname!r} is used twice")
            names.add(rname)
            for key in ("all", "any"):
                for j, cname in enumerate(raw.get(key, [])):
                    if cname not in concepts:
                        raise fail((section, i, key, j), f"rule {rname}: unknown concept {cname!r}")
            if not raw.get("all") and not raw.get("any"):
                raise fail((section, i), f"rule {rname}: needs `all` or `any` concepts")
            within = raw.get("within", "sentence")
            if within == "near":
                within = int(data.get("proximity", 12))
            rules.append(
                Rule(
                    name=rname,
                    all=tuple(raw.get("all", [])),
                    any=tuple(raw.get("any", [])),
                    within=within,
                    weight=-float(raw["weight"]) if negative else float(raw["weight"]),
                    max_count=int(raw.get("max_count", 3)),
                    negative=negative,
                )
            )
    requires = tuple(data.get("requires", []))
    for i, cname in enumerate(requires):
        if cname not in concepts:
            raise fail(("requires", i), f"requires: unknown concept {cname!r}")
    if not any(not r.negative for r in rules):
        raise fail(("rules",), "a topic needs at least one positive rule")

    return Topic(
        name=name,
        title=str(data["title"]),
        threshold=float(data["threshold"]),
        recipients=tuple(data.get("recipients", [])),
        languages=languages,
        concepts=MappingProxyType(concepts),
        rules=tuple(rules),
        requires=requires,
        title_boost=float(data.get("title_boost", 1.5)),
        proximity=int(data.get("proximity", 12)),
        max_evidence=int(data.get("max_evidence", 6)),
        description=str(data.get("description", "")),
        path=path,
        enabled=bool(data.get("enabled", True)),
    )


def term_problem(term: str) -> str | None:
    """Why a term cannot be matched (None when fine). See the term syntax in config/topics/README."""
    body = term[1:] if term.startswith("=") else term
    words = pattern_words(body)
    if not words or not term_words(body.replace("*", "")):
        return "has no letters to match"
    if "*" in body:
        for w in words:
            if w.strip("*") == "":
                return "a lone * would match every word"
            if len(w.replace("*", "")) < 3:
                return "a wildcard word needs at least 3 letters"
    return None
