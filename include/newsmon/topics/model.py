"""Topic definitions: the YAML format users write, its schema, and validation errors that name FILE:LINE.

A topic is ``<name>.yaml`` (concepts, rules, thresholds, language-neutral names) plus, optionally, one
terms file per language in the folder ``<name>/`` beside it (``<name>/es.yaml``: concept -> Spanish
terms), so each language's words can be written and reviewed on their own.

Each file is read in two passes: PyYAML *composes* the node tree (which knows the line of every key
and value), then the plain data is checked against a JSON Schema and a few cross-field rules (rules
must name defined concepts, term patterns must compile). Every problem is reported as
``TopicConfigError("FILE:LINE: what is wrong")`` so a user editing the file can jump straight to it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from newsmon.config import yamlfile
from newsmon.topics.languages import LANGUAGES
from newsmon.topics.schema import TERMS_FILE_SCHEMA, TOPIC_SCHEMA
from newsmon.topics.text import pattern_words, term_words

NEUTRAL = "any"  # the key of language-neutral terms (names, acronyms) inside a concept
NUMBER_TERM = "<number>"  # the term that matches any number written in digits
TOPIC_SUFFIXES = (".yaml", ".yml")
WITHIN_CONTEXT = ("window", "paragraph", "title", "document")


class TopicConfigError(ValueError):
    """A topic file is unreadable or invalid; the message reads "FILE:LINE: what is wrong"."""


@dataclass(frozen=True)
class Rule:
    """A weighted pattern over concepts; negative weight means a cue that lowers the score.

    within: "sentence" (all concepts in one sentence), "document" (anywhere) or a number of words
    (a hit of the first concept with every other one at most that many words away).
    context: concepts of which one must also occur around such a sentence, `context_within` it:
    "window" (the sentence, its neighbours and the title), "paragraph", "title" or "document".
    none: concepts that must NOT occur in the sentence ("a title about a trial, not about children");
    for a `within: document` rule, nowhere in the text.
    where: which sentences count at all: "all", "title", "lead" (title and the first sentences) or "body".
    applies_to: "uncovered" rules score only texts in a language the topic has no terms for (they
    read the language-neutral cues); "covered" ones only the others.
    """

    name: str
    all: tuple[str, ...]
    any: tuple[str, ...]
    within: str | int
    weight: float
    max_count: int
    negative: bool = False
    context: tuple[str, ...] = ()
    context_within: str = "window"
    applies_to: str = "all"
    none: tuple[str, ...] = ()
    where: str = "all"


@dataclass(frozen=True)
class WrittenQuery:
    """A discovery query written by hand in the topic file (sent as written, with the language's filter)."""

    text: str
    lang: str  # a language of the topic, or "any" (no language filter)
    providers: tuple[str, ...] = ()  # only these providers; empty: every provider


@dataclass(frozen=True)
class TopicDiscovery:
    """How discovery searches for the topic: ``discovery:`` in the topic file (all optional)."""

    enabled: bool = True
    generate: bool = True  # a query per language from the concepts of the strongest rule
    languages: tuple[str, ...] = ()  # empty: every language of the topic
    queries: tuple[WrittenQuery, ...] = ()


@dataclass(frozen=True)
class SurgeRule:
    """When a story flagged for the topic surges: at least `copies` copies from at least `sites` distinct
    sites within the last `hours` hours (newsmon.alerts.surge). `enabled: false` (``surge: false`` in the
    file) sends no surge alerts for the topic."""

    copies: int = 5
    sites: int = 3
    hours: float = 6.0
    enabled: bool = True


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
    # concept -> concepts whose words inside one of its phrases do not count: a phrase of DETENTION
    # ("refugee camp") names a place, so the REFUGEE word in it is not about refugees.
    masks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The rules that state the subject itself (a return of children, citizens, women); a text where
    # none of them matched speaks only of the setting and loses `core_missing` points.
    core: tuple[str, ...] = ()
    core_missing: float = 0.0
    title_boost: float = 1.5
    # The lead (the first `lead_sentences` sentences of the body) says what an article is about; a
    # sentence there counts `lead_boost` times, like the title counts `title_boost` times.
    lead_boost: float = 1.0
    lead_sentences: int = 0
    window: int = 1  # sentences on each side that a "window" context looks at (the title always)
    # At most this many points from one sentence (times its boost): no single sentence, such as a
    # background paragraph of a look-alike story, decides alone. None: no cap.
    sentence_cap: float | None = None
    proximity: int = 12
    max_evidence: int = 6
    description: str = ""
    path: Path | None = None
    enabled: bool = True
    term_files: Mapping[str, Path] = field(default_factory=dict)  # language -> its terms file
    discovery: TopicDiscovery = TopicDiscovery()
    surge: SurgeRule = field(default_factory=SurgeRule)

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
    state = _files_state(directory)
    cached = _LOADED.get(directory)
    if cached is not None and cached[0] == state:
        return list(cached[1])
    topics = [load_topic(p) for p in sorted(directory.iterdir()) if p.suffix in TOPIC_SUFFIXES]
    seen: dict[str, Path | None] = {}
    for t in topics:
        if t.name in seen:  # "a.yaml" and "a.yml"
            raise TopicConfigError(f"{t.path}:1: topic name {t.name!r} already defined by {seen[t.name]}")
        seen[t.name] = t.path
    _LOADED[directory] = (state, tuple(topics))
    return topics


_FilesState = tuple[tuple[str, int, int], ...]

# The topics last read from each directory, with the state of their files then. Reading and validating the
# shipped topics costs about half a second of CPU, and flag_topics, send_alerts and check_surges each read
# them: one process that runs them all (`airflow dags test`, a worker with a warm fork) reads them once,
# and any edit, added or removed file is read again.
_LOADED: dict[Path, tuple[_FilesState, tuple[Topic, ...]]] = {}


def _files_state(directory: Path) -> _FilesState:
    """Path, modification time (ns) and size of every topic and terms file under ``directory``."""
    found = []
    for p in sorted(directory.rglob("*")):
        if p.suffix in TOPIC_SUFFIXES:
            with contextlib.suppress(OSError):  # vanished meanwhile: the listing without it is the state
                st = p.stat()
                found.append((str(p), st.st_mtime_ns, st.st_size))
    return tuple(found)


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
    """Read and validate one topic file and its per-language terms files; the name is the file stem."""
    path = Path(path)
    source = _read(path)
    terms_dir = path.with_name(path.stem)
    term_files = {}
    if terms_dir.is_dir():
        term_files = {p.stem: p for p in sorted(terms_dir.iterdir()) if p.suffix in TOPIC_SUFFIXES}
    return parse_topic(source, name=path.stem, path=path, term_files=term_files)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TopicConfigError(f"{path}:0: cannot read topic file: {exc}") from exc


_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


def parse_topic(
    source: str, *, name: str, path: Path | str = "<topic>", term_files: Mapping[str, Path] | None = None
) -> Topic:
    """Parse topic YAML text (and read its language terms files); `path` only labels error messages."""
    label = str(path)
    if not _NAME_RE.match(name):
        raise TopicConfigError(
            f"{label}:1: topic file name {name!r} must be lower-case letters, digits, _ or -"
        )
    data, lines = _compose(source, label, TOPIC_SCHEMA)
    extra: dict[str, tuple[dict[str, Any], dict[tuple[Any, ...], int], str]] = {}
    for lang, file in sorted((term_files or {}).items()):
        file_data, file_lines = _compose(_read(file), str(file), TERMS_FILE_SCHEMA)
        extra[lang] = (file_data, file_lines, str(file))
    topic = _build_topic(data, name=name, path=Path(path), lines=lines, label=label, extra=extra)
    if term_files:
        topic = replace(topic, term_files=MappingProxyType(dict(term_files)))
    return topic


def _compose(source: str, label: str, schema: Mapping[str, Any]) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """YAML text -> (data, line of every value), validated against `schema` (``config.yamlfile``)."""
    try:
        data, lines = yamlfile.compose(source, label, empty="topic file is empty")
    except yamlfile.ConfigError as exc:
        raise TopicConfigError(exc.errors[0]) from exc
    errors = yamlfile.schema_errors(data, lines, label, schema)
    if errors:
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise TopicConfigError(errors[0] + more)
    return data, lines


_line_for = yamlfile.line_for


def _build_topic(
    data: Mapping[str, Any],
    *,
    name: str,
    path: Path,
    lines: Mapping[tuple[Any, ...], int],
    label: str,
    extra: Mapping[str, tuple[Mapping[str, Any], Mapping[tuple[Any, ...], int], str]] | None = None,
) -> Topic:
    def fail(at: tuple[Any, ...], message: str, where: Mapping[tuple[Any, ...], int] = lines,
             file: str = label) -> TopicConfigError:  # fmt: skip
        return TopicConfigError(f"{file}:{_line_for(where, at)}: {message}")

    extra = extra or {}
    declared = list(data.get("languages", [] if extra else ["en"]))
    for i, lang in enumerate(declared):
        if lang not in LANGUAGES:
            raise fail(("languages", i), f"language {lang!r} is not known; use one of: {_known()}")
    for lang, (_d, _l, file) in extra.items():
        if lang not in LANGUAGES:
            raise TopicConfigError(
                f"{file}:1: file name {lang!r} is not a known language; use one of: {_known()}"
            )
    languages = tuple(dict.fromkeys([*declared, *extra]))

    concepts: dict[str, dict[str, tuple[str, ...]]] = {}
    for cname, per_lang in data["concepts"].items():
        terms: dict[str, tuple[str, ...]] = {}
        for lang, words in (per_lang or {}).items():
            if lang != NEUTRAL and lang not in languages:
                raise fail(
                    ("concepts", cname, lang, "__key__"),
                    f"concept {cname}: language {lang!r} is not listed in `languages` {list(languages)}",
                )
            for i, term in enumerate(words):
                problem = term_problem(term, None if lang == NEUTRAL else lang)
                if problem:
                    raise fail(("concepts", cname, lang, i), f"concept {cname}, term {term!r}: {problem}")
            terms[lang] = tuple(words)
        concepts[cname] = terms
    for lang, (file_data, file_lines, file) in extra.items():
        for cname, words in file_data.items():
            if cname not in concepts:
                message = f"unknown concept {cname!r} (concepts are declared in {label})"
                raise fail((cname, "__key__"), message, file_lines, file)
            for i, term in enumerate(words):
                problem = term_problem(term, lang)
                if problem:
                    raise fail((cname, i), f"concept {cname}, term {term!r}: {problem}", file_lines, file)
            concepts[cname][lang] = concepts[cname].get(lang, ()) + tuple(words)

    rules: list[Rule] = []
    names: set[str] = set()
    for section, negative in (("rules", False), ("negatives", True)):
        for i, raw in enumerate(data.get(section, [])):
            rname = raw["name"]
            if rname in names:
                raise fail((section, i, "name"), f"rule name {rname!r} is used twice")
            names.add(rname)
            for key in ("all", "any", "context", "none"):
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
                    context=tuple(raw.get("context", [])),
                    context_within=str(raw.get("context_within", "window")),
                    applies_to=str(raw.get("applies_to", "all")),
                    none=tuple(raw.get("none", [])),
                    where=str(raw.get("in", "all")),
                )
            )
    requires = tuple(data.get("requires", []))
    for i, cname in enumerate(requires):
        if cname not in concepts:
            raise fail(("requires", i), f"requires: unknown concept {cname!r}")
    masks: dict[str, tuple[str, ...]] = {}
    for masker, masked in (data.get("masks") or {}).items():
        for cname in (masker, *masked):
            if cname not in concepts:
                raise fail(("masks", masker), f"masks: unknown concept {cname!r}")
        masks[masker] = tuple(masked)
    core = tuple(data.get("core", []))
    positive = {r.name for r in rules if not r.negative}
    for i, rname in enumerate(core):
        if rname not in positive:
            raise fail(("core", i), f"core: {rname!r} is not a positive rule of this topic")
    if not any(not r.negative for r in rules):
        raise fail(("rules",), "a topic needs at least one positive rule")
    discovery = _discovery(data.get("discovery") or {}, languages, fail)
    surge = _surge_rule(data.get("surge", True))

    return Topic(
        name=name,
        title=str(data["title"]),
        threshold=float(data["threshold"]),
        recipients=tuple(data.get("recipients", [])),
        languages=languages,
        concepts=MappingProxyType({k: MappingProxyType(v) for k, v in concepts.items()}),
        rules=tuple(rules),
        requires=requires,
        masks=MappingProxyType(masks),
        core=core,
        core_missing=float(data.get("core_missing", 0.0)),
        title_boost=float(data.get("title_boost", 1.5)),
        lead_boost=float(data.get("lead_boost", 1.0)),
        lead_sentences=int(data.get("lead_sentences", 0)),
        window=int(data.get("window", 1)),
        sentence_cap=float(data["sentence_cap"]) if "sentence_cap" in data else None,
        proximity=int(data.get("proximity", 12)),
        max_evidence=int(data.get("max_evidence", 6)),
        description=str(data.get("description", "")),
        path=path,
        enabled=bool(data.get("enabled", True)),
        discovery=discovery,
        surge=surge,
    )


def _surge_rule(value: bool | Mapping[str, Any]) -> SurgeRule:
    """`surge: false`, `surge: true` (the defaults) or a mapping overriding some of them (schema-checked)."""
    if isinstance(value, bool):
        return SurgeRule(enabled=value)
    default = SurgeRule()
    return SurgeRule(
        copies=int(value.get("copies", default.copies)),
        sites=int(value.get("sites", default.sites)),
        hours=float(value.get("hours", default.hours)),
        enabled=bool(value.get("enabled", True)),
    )


def _discovery(
    raw: Mapping[str, Any], languages: tuple[str, ...], fail: Callable[..., TopicConfigError]
) -> TopicDiscovery:
    """The ``discovery:`` section, checked against the topic's languages; a written query must be one a
    search engine can read (balanced quotes and parentheses)."""
    for i, lang in enumerate(raw.get("languages", [])):
        if lang not in languages:
            raise fail(
                ("discovery", "languages", i), f"discovery: language {lang!r} is not a language of the topic"
            )
    queries = []
    for i, item in enumerate(raw.get("queries", [])):
        text, lang = " ".join(item["query"].split()), item["lang"]
        if lang != NEUTRAL and lang not in languages:
            raise fail(
                ("discovery", "queries", i, "lang"),
                f"discovery query: language {lang!r} is not a language of the topic",
            )
        if text.count('"') % 2 or not _balanced(text):
            raise fail(
                ("discovery", "queries", i, "query"),
                f"discovery query {text!r}: unbalanced quotes or parentheses",
            )
        queries.append(WrittenQuery(text=text, lang=lang, providers=tuple(item.get("providers", ()))))
    return TopicDiscovery(
        enabled=bool(raw.get("enabled", True)),
        generate=bool(raw.get("generate", True)),
        languages=tuple(raw.get("languages", ())),
        queries=tuple(queries),
    )


def _balanced(text: str) -> bool:
    depth = 0
    for ch in re.sub(r'"[^"]*"', "", text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@dataclass(frozen=True)
class LanguageCoverage:
    """What a topic has for one language: `newsmon topics check` prints one line of these."""

    lang: str
    name: str
    morphology: str
    terms: int
    concepts: int  # concepts with at least one term in this language
    missing: tuple[str, ...]  # concepts the positive rules use that have no term in this language
    source: str  # the terms file, or "inline"


def language_coverage(topic: Topic) -> list[LanguageCoverage]:
    """Per language: how many terms, and which concepts of the positive rules have none.

    A concept counts as covered when it has terms in the language or language-neutral names (`any`).
    """
    used = sorted(
        {c for r in topic.positive_rules for c in (*r.all, *r.any, *r.context)} | set(topic.requires)
    )
    out = []
    for code in topic.languages:
        lang = LANGUAGES[code]
        have = {c for c, per in topic.concepts.items() if per.get(code) or per.get(NEUTRAL)}
        out.append(
            LanguageCoverage(
                lang=code,
                name=lang.name,
                morphology=lang.morphology,
                terms=sum(len(per.get(code, ())) for per in topic.concepts.values()),
                concepts=sum(1 for per in topic.concepts.values() if per.get(code)),
                missing=tuple(c for c in used if c not in have),
                source=str(topic.term_files[code]) if code in topic.term_files else "inline",
            )
        )
    return out


def _known() -> str:
    return ", ".join(sorted(LANGUAGES))


def term_problem(term: str, lang: str | None = None) -> str | None:
    """Why a term cannot be matched (None when fine). See the term syntax in config/topics/README."""
    if term == NUMBER_TERM:
        return None
    body = term[1:] if term.startswith("=") else term
    words = pattern_words(body, lang)
    if not words or not term_words(body.replace("*", ""), lang):
        return "has no letters to match"
    if "*" in body:
        for w in (w for w in words if "*" in w):
            if w.strip("*") == "":
                return "a lone * would match every word"
            if len(w.replace("*", "")) < 3:
                return "a wildcard word needs at least 3 letters"
    return None
