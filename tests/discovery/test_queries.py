"""Queries from a topic's concepts: searchable terms only, per language, within the length limit, and the
written ones; every generated query for the shipped topics is one the fake GDELT (with GDELT's rules)
accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.config.discovery import ProviderConfig, ProviderKind, QueryTerms
from newsmon.discovery.gdelt import LANGUAGE_FILTERS, GdeltProvider
from newsmon.discovery.queries import build_query, plan_queries, search_term, strongest_rule
from newsmon.topics.languages import LANGUAGES
from newsmon.topics.model import load_topics, parse_topic
from tests.discovery.fake_gdelt import refuse

REPO = Path(__file__).resolve().parents[2]
TOPICS = load_topics(REPO / "config" / "topics")


def _provider(terms: QueryTerms = QueryTerms.ENGLISH, **kw) -> ProviderConfig:
    kind = ProviderKind.GDELT if terms == QueryTerms.ENGLISH else ProviderKind.RSS
    url = "https://api.example/doc" if kind == ProviderKind.GDELT else "https://s.example/rss?q={query}"
    return ProviderConfig(name="p", kind=kind, url=url, terms=terms, **kw)


TOPIC = parse_topic(
    """
title: Harbour closures
threshold: 1
languages: [en, kk]
concepts:
  CLOSED:
    en: [closed, shut, "=shut down", "clos*", "<number>", ban]
    kk: ["жабыл*", "тоқтат*"]
  PORT:
    en: [port, ports, harbour, "dock workers", "quay (north)"]
    kk: [порт, "айлақ"]
  NAMED:
    any: [Aktau, Актау, "Port of Aktau", AK]
rules:
  - {name: closed_port, all: [CLOSED, PORT], any: [NAMED], weight: 1}
  - {name: port, any: [PORT], weight: 0.1, within: document}
discovery:
  queries:
    - {query: '"Aktau port" closure', lang: en}
    - {query: 'Aktau', lang: any, providers: [other]}
""",
    name="harbour",
)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("children", "children"),
        ("bring home", '"bring home"'),
        ("al-Hol", '"al-Hol"'),
        ("=shut down", '"shut down"'),
        ("IS", None),  # a keyword under four letters: GDELT refuses it
        ("kids", "kids"),
        ("sub", None),
        ("repatri*", None),
        ("*lager", None),
        ("<number>", None),
        ('say "no"', None),
        ("quay (north)", None),
        ("a b", None),  # a phrase under five characters
    ],
)
def test_what_goes_into_a_search(term, expected):
    assert search_term(term) == expected


def test_prefix_terms_are_used_as_words_only_when_nothing_else_is_searchable():
    assert search_term("балалар*", allow_prefix=True) == "балалар"
    assert search_term("бала*", allow_prefix=True) is None  # too short a stem to be a word
    rule = strongest_rule(TOPIC)
    assert rule is not None and rule.name == "closed_port"
    kk = build_query(TOPIC, rule, "kk", 250)
    assert (
        kk == "(жабыл OR тоқтат) (порт OR айлақ) (Актау)" or kk == "(жабыл OR тоқтат) (порт OR айлақ) Актау"
    )


def test_groups_are_or_ed_in_parentheses_names_first_in_the_language_s_script():
    rule = strongest_rule(TOPIC)
    assert rule is not None
    query = build_query(TOPIC, rule, "en", 250)
    assert query == '(closed OR shut OR "shut down") (port OR ports OR harbour) (Aktau OR "Port of Aktau")'
    assert refuse({"mode": "artlist", "query": query}) is None


def test_queries_are_cut_to_the_length_limit_longest_group_first():
    rule = strongest_rule(TOPIC)
    assert rule is not None
    assert build_query(TOPIC, rule, "en", 60) == '(closed OR shut) (port OR ports) (Aktau OR "Port of Aktau")'
    assert build_query(TOPIC, rule, "en", 17) == "closed port Aktau"
    assert build_query(TOPIC, rule, "en", 16) is None  # not even one term per group fits


def test_plan_per_provider_kind_languages_and_written_queries():
    english, skipped = plan_queries(_provider(), [TOPIC], GdeltProvider(_provider()).supports)
    assert [(q.lang, q.origin) for q in english] == [
        ("en", "generated"),
        ("kk", "generated"),
        ("en", "written"),
    ]
    assert english[0].text == english[1].text  # GDELT searches English translations: English words for kk too
    assert skipped == []
    native, _ = plan_queries(_provider(QueryTerms.NATIVE), [TOPIC], lambda lang: True)
    assert "порт" in native[1].text and "port" not in native[1].text
    only_kk, _ = plan_queries(_provider(languages=("kk",)), [TOPIC], lambda lang: True)
    assert [q.lang for q in only_kk] == ["kk"]  # the written English query is outside its languages too
    other = ProviderConfig(name="other", kind=ProviderKind.GDELT, url="https://api.example/doc")
    planned, _ = plan_queries(other, [TOPIC], lambda lang: True)
    assert ("any", "Aktau") in {(q.lang, q.text) for q in planned}


def test_every_shipped_language_has_a_gdelt_filter_and_every_generated_query_is_accepted():
    assert set(LANGUAGE_FILTERS) == set(LANGUAGES)
    for terms in (QueryTerms.ENGLISH, QueryTerms.NATIVE):
        config = _provider(terms)
        planned, skipped = plan_queries(config, TOPICS, lambda lang: True)
        assert skipped == []
        langs = {q.lang for q in planned if q.topic == "child_repatriation"}
        assert langs == set(next(t for t in TOPICS if t.name == "child_repatriation").languages)
        for q in planned:
            assert len(q.text) <= config.max_query_length
            assert refuse({"mode": "artlist", "query": q.text}) is None, (terms, q.lang, q.text)
            assert "*" not in q.text and "<number>" not in q.text


def test_a_topic_without_discovery_or_disabled_gives_no_query():
    off = parse_topic(
        "title: T\nthreshold: 1\nconcepts:\n  A:\n    en: [alpha]\n"
        "rules:\n  - {name: r, all: [A], weight: 1}\ndiscovery: {enabled: false}\n",
        name="off",
    )
    assert plan_queries(_provider(), [off], lambda lang: True) == ([], [])
