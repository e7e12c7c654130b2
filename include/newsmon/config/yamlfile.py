"""User-edited YAML checked against a JSON Schema, every problem located as "FILE:LINE: what is wrong".

Why in two passes: PyYAML *composes* the node tree, which knows the line of every key and value, and
the plain data is then checked against a JSON Schema (draft 2020-12). The line of each value is kept by
its JSON path, so a schema error (which knows only the path) and a later cross-field check can both
name the line a person has to fix. Duplicate keys are refused: YAML keeps the last one silently, which
would hide the mistake.

Used by the topic files (``newsmon.topics.model``) and the discovery providers (``config.discovery``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

# libyaml's loader when PyYAML was built with it (the wheels are): the topic files hold thousands of terms,
# and the pure-Python loader spent seconds of every flag_topics run reading them.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Lines = dict[tuple[Any, ...], int]
"""The 1-based line of every value by its JSON path; ``(*path, key, "__key__")`` is the line of a key."""


class ConfigError(ValueError):
    """A configuration file is invalid. ``errors`` holds one "FILE:LINE: what is wrong" per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


def read(path: Path) -> str:
    """A configuration file's text; an unreadable file is a :class:`ConfigError` naming it."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}:1: cannot read: {exc}"]) from None


def syntax_error(exc: yaml.YAMLError, label: str, *, unknown_line: int = 0) -> ConfigError:
    """YAML that does not parse, located at the line PyYAML blames."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else unknown_line
        return ConfigError([f"{label}:{line}: YAML syntax error: {exc.problem or exc}"])
    return ConfigError([f"{label}:{unknown_line}: YAML error: {exc}"])


def compose(source: str, label: str, *, empty: str = "file is empty") -> tuple[Any, Lines]:
    """YAML text -> (data, line of every value); raises :class:`ConfigError` with one located error."""
    # One parse: the data is constructed from the node tree the lines come from (what yaml.load does
    # after composing its own), not from a second parse of the text.
    loader = _LOADER(source)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise syntax_error(exc, label) from exc
        if node is None:
            raise ConfigError([f"{label}:1: {empty}"])
        lines: Lines = {}
        _index(node, (), lines, label)
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _index(node: yaml.Node, at: tuple[Any, ...], lines: Lines, label: str) -> None:
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise ConfigError([f"{label}:{key_node.start_mark.line + 1}: duplicate key {key!r}"])
            seen.add(key)
            _index(value_node, (*at, key), lines, label)
            lines[(*at, key, "__key__")] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*at, i), lines, label)


def line_for(lines: Mapping[tuple[Any, ...], int], at: tuple[Any, ...]) -> int:
    """The line of the deepest known node on a path (a missing key reports its parent mapping)."""
    at = tuple(str(p) if not isinstance(p, int) else p for p in at)
    while at:
        if at in lines:
            return lines[at]
        at = at[:-1]
    return lines.get((), 1)


def schema_errors(
    data: Any, lines: Mapping[tuple[Any, ...], int], label: str, schema: Mapping[str, Any]
) -> list[str]:
    """Every schema violation as "FILE:LINE: path: message", in line order (empty when valid)."""
    import jsonschema  # only needed when a configuration file is read, not on every `import newsmon`

    validator = jsonschema.Draft202012Validator(schema)
    located = sorted(
        (_error_line(e, lines), "/".join(str(p) for p in e.absolute_path) or "top level", e.message)
        for e in validator.iter_errors(data)
    )
    return [f"{label}:{line}: {where}: {message}" for line, where, message in located]


def _error_line(err: Any, lines: Mapping[tuple[Any, ...], int]) -> int:
    """The line to blame: an unexpected key's own line rather than its parent mapping's."""
    at = tuple(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = err.schema.get("properties", {})
        for key in err.instance:
            if key not in allowed and (*at, key, "__key__") in lines:
                return lines[(*at, key, "__key__")]
    return line_for(lines, at)
