"""JSON Schema of a topic file (draft 2020-12), kept as data so the UI and docs can show it too."""

from __future__ import annotations

from typing import Any

_TERMS: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
    "minItems": 1,
}

_RULE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "weight"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "all": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "any": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "within": {
            "oneOf": [
                {"enum": ["sentence", "document", "near"]},
                {"type": "integer", "minimum": 1, "maximum": 200},
            ]
        },
        "weight": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
        "max_count": {"type": "integer", "minimum": 1, "maximum": 100},
        "context": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "minItems": 1},
        "context_within": {"enum": ["window", "paragraph", "title", "document"]},
        "none": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "minItems": 1},
        "in": {"enum": ["all", "title", "lead", "body"]},
        "applies_to": {"enum": ["all", "covered", "uncovered"]},
        "description": {"type": "string"},
    },
}

_WRITTEN_QUERY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["query", "lang"],
    "properties": {
        "query": {"type": "string", "minLength": 3, "maxLength": 500},
        "lang": {"type": "string", "pattern": "^([a-z]{2}|any)$"},
        "providers": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,39}$"},
            "minItems": 1,
            "uniqueItems": True,
        },
    },
}

#: How discovery searches for the topic (``newsmon.discovery``): queries generated from the concepts
#: and rules for each language, and queries written by hand.
_DISCOVERY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "enabled": {"type": "boolean"},
        "generate": {"type": "boolean"},
        "languages": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z]{2}$"},
            "minItems": 1,
            "uniqueItems": True,
        },
        "queries": {"type": "array", "items": _WRITTEN_QUERY},
    },
}

# A surge alert: copies from distinct sites within hours (defaults in newsmon.topics.model.SurgeRule).
_SURGE: dict[str, Any] = {
    "oneOf": [
        {"type": "boolean"},
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "copies": {"type": "integer", "minimum": 2, "maximum": 100000},
                "sites": {"type": "integer", "minimum": 1, "maximum": 10000},
                "hours": {"type": "number", "exclusiveMinimum": 0, "maximum": 720},
                "enabled": {"type": "boolean"},
            },
        },
    ]
}

TOPIC_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "newsmon topic",
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "threshold", "concepts", "rules"],
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "enabled": {"type": "boolean"},
        "threshold": {"type": "number", "minimum": 0},
        "recipients": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[^@\\s]+@[^@\\s]+$"},
            "uniqueItems": True,
        },
        "languages": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z]{2}$"},
            "minItems": 1,
            "uniqueItems": True,
        },
        "title_boost": {"type": "number", "minimum": 0, "maximum": 10},
        "lead_boost": {"type": "number", "minimum": 0, "maximum": 10},
        "lead_sentences": {"type": "integer", "minimum": 0, "maximum": 100},
        "window": {"type": "integer", "minimum": 0, "maximum": 20},
        "sentence_cap": {"type": "number", "exclusiveMinimum": 0},
        "proximity": {"type": "integer", "minimum": 1, "maximum": 200},
        "max_evidence": {"type": "integer", "minimum": 1, "maximum": 50},
        "concepts": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^[A-Z][A-Z0-9_]*$"},
            "additionalProperties": {
                "type": "object",
                "propertyNames": {"pattern": "^([a-z]{2}|any)$"},
                "additionalProperties": _TERMS,
            },
        },
        "requires": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"},
            "minItems": 1,
            "uniqueItems": True,
        },
        "masks": {
            "type": "object",
            "propertyNames": {"pattern": "^[A-Z][A-Z0-9_]*$"},
            "additionalProperties": {
                "type": "array",
                "items": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"},
                "minItems": 1,
                "uniqueItems": True,
            },
        },
        "core": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
            "uniqueItems": True,
        },
        "core_missing": {"type": "number", "minimum": 0},
        "rules": {"type": "array", "items": _RULE, "minItems": 1},
        "negatives": {"type": "array", "items": _RULE},
        "discovery": _DISCOVERY,
        "surge": _SURGE,
    },
}

#: A per-language terms file (``<topic>/<lang>.yaml``): concept name -> terms in that language.
TERMS_FILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "newsmon topic terms for one language",
    "type": "object",
    "minProperties": 1,
    "propertyNames": {"pattern": "^[A-Z][A-Z0-9_]*$"},
    "additionalProperties": _TERMS,
}
