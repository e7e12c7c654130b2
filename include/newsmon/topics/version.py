"""A topic's version: the content hash of every file that decides what it flags.

Stored on each flag (``flags.topic_hash``) and on each backfill, so "has the topic changed since this was
scored?" is a comparison of two strings. A topic is its YAML file, its per-language terms files
(``<name>/<lang>.yaml``) and, when one was trained, its learned model (``<name>.model.json``): editing any
of them changes what is flagged, so each is part of the hash. Whitespace and comments count too: the
hash says "these files changed", not "the meaning changed" (the preview shows what the change does).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from newsmon.topics.learned import model_path
from newsmon.topics.model import Topic


def topic_files(topic: Topic) -> list[tuple[str, Path]]:
    """(label, path) of the files that make the topic, in a fixed order; files that do not exist are left
    out (a topic parsed from text has none, a topic without a model has no model file)."""
    files: list[tuple[str, Path]] = []
    if topic.path is not None:
        files.append(("topic", Path(topic.path)))
    files += [(f"terms/{lang}", Path(path)) for lang, path in sorted(topic.term_files.items())]
    model = model_path(topic)
    if model is not None:
        files.append(("model", model))
    return [(label, path) for label, path in files if path.is_file()]


def topic_hash(topic: Topic) -> str:
    """SHA-256 (hex) over the topic's files, each with its role; a topic without files (parsed from a
    string in a test) is hashed by its parsed definition instead."""
    digest = hashlib.sha256()
    files = topic_files(topic)
    if not files:
        digest.update(b"parsed\0" + repr(topic).encode())
    for label, path in files:
        content = path.read_bytes()
        digest.update(f"{label}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def short(topic_hash_value: str | None) -> str:
    """The first 12 characters: what pages, emails and the CLI show of a hash."""
    return (topic_hash_value or "")[:12]
