"""Reading GDELT DOC 2.0 answers, fetched from a local server through newsmon's one HTTP client: what is an
article, what is nothing found, what is a refusal of one query and what is an outage."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from newsmon.config.discovery import AnswerFormat, ProviderConfig, ProviderKind
from newsmon.discovery.gdelt import GdeltProvider
from newsmon.discovery.results import SearchError
from newsmon.http.client import HttpPolicy, fetch
from newsmon.http.errors import HttpError
from tests.discovery.fake_gdelt import RATE_LIMIT_TEXT, fake_gdelt
from tests.http.localserver import static


def _provider(url: str, fmt: AnswerFormat = AnswerFormat.JSON, **kw) -> GdeltProvider:
    return GdeltProvider(ProviderConfig(name="gdelt", kind=ProviderKind.GDELT, url=url, format=fmt, **kw))


def _read(server, body: bytes, ctype: str, status: int = 200, fmt: AnswerFormat = AnswerFormat.JSON, **kw):
    url = server.route("/doc", static(status, body, {"Content-Type": ctype}))
    provider = _provider(url, fmt, **kw)
    result = fetch(url, HttpPolicy(allowed_private=frozenset({server.pair})))
    return provider.read_answer(result)


def test_the_request_names_the_search_its_language_and_the_api_s_parameters():
    provider = _provider("https://api.gdeltproject.org/api/v2/doc/doc", max_records=400, timespan="2h")
    url = provider.request_url('(children OR minors) "al-Hol"', "sh")
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert params == {
        "query": '(children OR minors) "al-Hol" '
        "(sourcelang:bosnian OR sourcelang:croatian OR sourcelang:serbian)",
        "mode": "artlist",
        "format": "json",
        "maxrecords": "250",  # the API's ceiling
        "timespan": "2h",
        "sort": "datedesc",
    }
    assert "%20" in url and "+" not in url
    assert "sourcecountry:uzbekistan" in parse_qs(urlsplit(provider.request_url("x", "uz")).query)["query"][0]
    assert parse_qs(urlsplit(provider.request_url("children camp", "any")).query)["query"] == [
        "children camp"
    ]
    assert provider.supports("kk") and provider.supports("any") and not provider.supports("ckb")


def test_articles_with_raw_control_characters_and_junk_items(server):
    body = (
        b'{"articles": [{"url": "https://a.example/1", "title": "Tab\there", "url_mobile": "https://m.a.example/1"},'
        b' {"url": ""}, "not an object", {"title": "no url"}, {"url": "https://b.example/2", "title": null}]}'
    )
    outcome = _read(server, body, "application/json")
    assert outcome.ok and outcome.listed == 5
    assert [(a.url, a.title) for a in outcome.articles] == [
        ("https://a.example/1", "Tab\there"),
        ("https://b.example/2", ""),
    ]
    assert all(a.published is None for a in outcome.articles)  # seendate is not the article's date


def test_the_provider_s_cap_on_records(server):
    items = [{"url": f"https://a.example/{i}", "title": str(i)} for i in range(30)]
    outcome = _read(server, json.dumps({"articles": items}).encode(), "application/json", max_records=10)
    assert outcome.listed == 30 and len(outcome.articles) == 10


@pytest.mark.parametrize("body", [b"{}", b'{"articles": []}', b"\xef\xbb\xbf{}\n"])
def test_nothing_found(server, body):
    outcome = _read(server, body, "application/json")
    assert outcome.ok and outcome.articles == ()


@pytest.mark.parametrize(
    ("body", "ctype", "kind"),
    [
        (b"The specified phrase is too short.", "text/html", SearchError.QUERY_REJECTED),
        (b"Queries containing OR'd terms must be surrounded by ().", "text/html", SearchError.QUERY_REJECTED),
        (b"<html><body>Timespan is too short.</body></html>", "text/html", SearchError.QUERY_REJECTED),
        (RATE_LIMIT_TEXT.encode(), "text/html", HttpError.RATE_LIMITED),
        (b'{"articles": [{"url": "http://x', "application/json", SearchError.BAD_ANSWER),
        (b'["not", "an", "object"]', "application/json", SearchError.BAD_ANSWER),
        (b'{"articles": {"url": "x"}}', "application/json", SearchError.BAD_ANSWER),
        (b"", "application/json", SearchError.BAD_ANSWER),
        (b"<html>" + b"<p>a proxy's error page</p>" * 200 + b"</html>", "text/html", SearchError.BAD_ANSWER),
    ],
)
def test_unusable_answers(server, body, ctype, kind):
    outcome = _read(server, body, ctype)
    assert outcome.error_kind == kind and outcome.error
    assert outcome.outage == (kind == HttpError.RATE_LIMITED)


@pytest.mark.parametrize(
    ("status", "kind"), [(429, HttpError.RATE_LIMITED), (503, HttpError.HTTP_5XX), (404, HttpError.NOT_FOUND)]
)
def test_http_failures_are_outages(server, status, kind):
    outcome = _read(server, b"no", "text/plain", status=status)
    assert outcome.error_kind == kind and outcome.outage


def test_rss_answers(server):
    with fake_gdelt() as gdelt:
        gdelt.articles["english"] = [gdelt.article("https://a.example/1", "One & two")]
        url = gdelt.url
        provider = _provider(url, AnswerFormat.RSS)
        policy = HttpPolicy(allowed_private=frozenset({gdelt.pair}))
        found = provider.read_answer(fetch(provider.request_url("children camp", "en"), policy))
        empty = provider.read_answer(fetch(provider.request_url("children camp", "ru"), policy))
    assert [(a.url, a.title) for a in found.articles] == [("https://a.example/1", "One & two")]
    assert found.articles[0].published is None
    assert empty.ok and empty.articles == ()
    page = _read(
        server,
        b"<!doctype html><html><body>down for maintenance</body></html>",
        "text/html",
        fmt=AnswerFormat.RSS,
    )
    assert page.error_kind == SearchError.QUERY_REJECTED  # a short HTML sentence: GDELT's way of saying no
