"""Discovery in the pipeline, in-process (`newsmon run`), against the fake GDELT and the demo sites, on SQLite
and PostgreSQL: found articles are fetched, folded with the feed's copy, flagged and alerted once; a second
run adds nothing; an outage, a refusal, an oversized or broken answer is data, never a failed run."""

from __future__ import annotations

from sqlalchemy import func, select

from newsmon import pipeline
from newsmon.store.db import session_scope
from newsmon.store.models import (
    Alert,
    Copy,
    DiscoveryFind,
    DiscoveryProvider,
    DiscoveryQuery,
    Entry,
    Feed,
    Flag,
    Story,
)
from newsmon.stories.urls import url_key
from tests.discovery.conftest import AGGREGATOR, DAILY, RUSSIAN, SEARCHES, WIRE, discovery_yaml, serve_story
from tests.http.localserver import redirect

TOPIC = "child_repatriation"


def _counts(db_url: str) -> dict[str, int]:
    with session_scope(db_url) as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Entry, Copy, Story, Flag, Alert, DiscoveryFind, DiscoveryQuery)
        }


def _provider(db_url: str) -> DiscoveryProvider:
    with session_scope(db_url) as s:
        provider = s.scalars(select(DiscoveryProvider)).one()
        s.expunge(provider)
        return provider


def test_found_articles_are_fetched_folded_with_the_feed_copy_flagged_and_alerted_once(
    discovery_settings, gdelt, demo_server, smtp_sink
):
    settings = discovery_settings
    serve_story(gdelt, demo_server)
    summary = pipeline.run_once(settings, smtp=smtp_sink.config, force_poll=True)

    # dock_strikes' German is not a provider language; the written searches are not narrowed to one
    assert summary["discover"]["queries"] == SEARCHES and summary["discover"]["errors"] == 0
    assert {r.language for r in gdelt.requests} == {"english", "russian", None}
    assert all(r.params["mode"] == "artlist" and r.params["sort"] == "datedesc" for r in gdelt.requests)
    base = demo_server.base_url
    with session_scope(settings.db_url) as s:
        by_key = {}
        for path in (WIRE, DAILY, AGGREGATOR, RUSSIAN):
            entries = s.scalars(select(Entry).where(Entry.url_key == url_key(base + path))).all()
            assert len(entries) == 1, path  # one entry per article, whichever source found it
            by_key[path] = entries[0]
        wire_feed = s.scalars(select(Feed)).one()
        assert by_key[WIRE].feed_id == wire_feed.id and by_key[WIRE].provider_id is None
        assert by_key[DAILY].provider_id is not None and by_key[DAILY].feed_id is None
        assert by_key[AGGREGATOR].link == base + AGGREGATOR  # the click tracker unwrapped: fetched directly
        found = {e.id for e in by_key.values()}
        finds = set(s.scalars(select(DiscoveryFind.entry_id)))
        assert found <= finds  # the feed's entry too: the search found it as well
        assert all(e.state == "done" and e.copy_id for e in by_key.values())

        story_id = s.scalar(select(Copy.story_id).where(Copy.id == by_key[WIRE].copy_id))
        copies = set(s.scalars(select(Copy.id).where(Copy.story_id == story_id)))
        assert {by_key[p].copy_id for p in (WIRE, DAILY, AGGREGATOR)} == copies
        flags = s.scalars(select(Flag).where(Flag.topic == TOPIC)).all()
        assert story_id in {f.story_id for f in flags}
        alerts = s.scalars(select(Alert)).all()
        assert sorted(a.story_id for a in alerts) == sorted(f.story_id for f in flags)
        assert len([a for a in alerts if a.story_id == story_id]) == 1
        assert all(a.status == "sent" for a in alerts)
    assert len(smtp_sink.messages) == len(alerts) == 2  # the syndicated story and the Russian one

    before = _counts(settings.db_url)
    requests = len(gdelt.requests)
    again = pipeline.run_once(settings, smtp=smtp_sink.config, force_poll=True)
    assert len(gdelt.requests) == requests + SEARCHES  # searched again ...
    assert again["discover"]["new_entries"] == 0 and again["discover"]["known"] == again["discover"]["found"]
    assert _counts(settings.db_url) == before  # ... and nothing added twice
    assert len(smtp_sink.messages) == 2


def test_answers_in_json_and_rss_give_the_same_entries(discovery_settings, gdelt, demo_server):
    serve_story(gdelt, demo_server)
    links = {}
    for fmt in ("json", "rss"):
        settings = discovery_settings
        settings.discovery_file.write_text(discovery_yaml(gdelt, fmt=fmt), encoding="utf-8")
        with session_scope(settings.db_url) as s:
            s.execute(DiscoveryFind.__table__.delete())
            s.execute(Entry.__table__.delete())
            s.execute(DiscoveryQuery.__table__.delete())
        pipeline.prepare(settings)
        counts = pipeline.discover(settings, force=True)
        assert counts["errors"] == counts["query_errors"] == 0
        assert gdelt.requests[-1].params["format"] == fmt
        with session_scope(settings.db_url) as s:
            links[fmt] = sorted(s.scalars(select(Entry.link)))
    assert links["json"] == links["rss"]
    assert len(links["json"]) == 4


def test_an_empty_answer_is_no_error(discovery_settings, gdelt):
    """Nothing found: JSON `{}` and an RSS channel without items."""
    for fmt in ("json", "rss"):
        discovery_settings.discovery_file.write_text(discovery_yaml(gdelt, fmt=fmt), encoding="utf-8")
        pipeline.prepare(discovery_settings)
        counts = pipeline.discover(discovery_settings, force=True)
        assert (counts["queries"], counts["found"], counts["errors"], counts["query_errors"]) == (
            SEARCHES,
            0,
            0,
            0,
        )
    with session_scope(discovery_settings.db_url) as s:
        assert s.scalar(select(func.count()).select_from(Entry)) == 0
        assert all(q.last_found == 0 and q.last_error_kind is None for q in s.scalars(select(DiscoveryQuery)))


def test_a_provider_outage_is_a_logged_provider_error_and_the_run_goes_on(
    discovery_settings, gdelt, demo_server, caplog
):
    serve_story(gdelt, demo_server)
    gdelt.trouble = "down"
    summary = pipeline.run_once(discovery_settings, force_poll=True)
    assert summary["discover"]["errors"] == 1
    assert (
        len(gdelt.requests) == 1
    )  # an outage ends the provider's run: no hammering of a server that is down
    assert summary["fetch"]["copies"] > 0  # the feed's articles were fetched all the same
    provider = _provider(discovery_settings.db_url)
    assert provider.consecutive_errors == 1 and provider.last_error_kind == "http_5xx"
    assert provider.next_run_at is not None and provider.last_success_at is None
    assert "discovery provider gdelt failed: http_5xx" in caplog.text

    # not due again before its back-off is over; then it recovers
    assert pipeline.discover(discovery_settings)["not_due"] == 1
    gdelt.trouble = None
    recovered = pipeline.discover(discovery_settings, force=True)
    assert recovered["errors"] == 0 and recovered["new_entries"] == 3  # the Russian story, two copies
    provider = _provider(discovery_settings.db_url)
    assert provider.consecutive_errors == 0 and provider.last_success_at is not None


def test_a_provider_that_refuses_connections_is_an_outage(discovery_settings, gdelt):
    gdelt.server.stop()
    pipeline.prepare(discovery_settings)
    counts = pipeline.discover(discovery_settings)
    assert counts["errors"] == 1
    assert _provider(discovery_settings.db_url).last_error_kind == "refused"


def test_rate_limit_notices_stop_the_provider_whatever_their_status(discovery_settings, gdelt):
    """HTTP 429, or GDELT's notice under HTTP 200: either way the provider waits (backing off)."""
    pipeline.prepare(discovery_settings)
    for trouble, says in (
        ("rate_limited", "HTTP 429"),
        ("rate_limited_200", "limit requests to one every 5"),
    ):
        gdelt.trouble = trouble
        sent = len(gdelt.requests)
        assert pipeline.discover(discovery_settings, force=True)["errors"] == 1
        assert len(gdelt.requests) == sent + 1
        provider = _provider(discovery_settings.db_url)
        assert provider.last_error_kind == "rate_limited" and says in (provider.last_error or "")
    assert provider.consecutive_errors == 2


def test_an_oversized_answer_is_cut_at_the_cap_and_is_that_query_s_error(discovery_settings, gdelt):
    """GDELT streams ~64 MB without a Content-Length; the client stops at the provider's 1 MB cap."""
    discovery_settings.discovery_file.write_text(discovery_yaml(gdelt, max_bytes=1_000_000), encoding="utf-8")
    gdelt.trouble = "oversized"
    pipeline.prepare(discovery_settings)
    counts = pipeline.discover(discovery_settings)
    assert counts["query_errors"] == SEARCHES and counts["errors"] == 0  # each query's own failure: no outage
    with session_scope(discovery_settings.db_url) as s:
        queries = s.scalars(select(DiscoveryQuery)).all()
        assert {q.last_error_kind for q in queries} == {"too_large"}
        assert s.scalar(select(func.count()).select_from(Entry)) == 0
    assert _provider(discovery_settings.db_url).consecutive_errors == 0


def test_a_broken_answer_is_that_query_s_error(discovery_settings, gdelt):
    gdelt.trouble = "broken_json"
    pipeline.prepare(discovery_settings)
    counts = pipeline.discover(discovery_settings)
    assert counts["query_errors"] == SEARCHES and counts["errors"] == 0
    with session_scope(discovery_settings.db_url) as s:
        assert {q.last_error_kind for q in s.scalars(select(DiscoveryQuery))} == {"bad_answer"}


def test_a_query_the_provider_refuses_is_recorded_and_the_others_run(discovery_settings, gdelt, tmp_path):
    topics = tmp_path / "topics"
    topics.mkdir()
    (topics / "ports.yaml").write_text(
        "title: Port strikes\nthreshold: 1\nlanguages: [en]\n"
        "concepts:\n  STRIKE:\n    en: [strike, walkout]\n  PORT:\n    en: [port, docks]\n"
        "rules:\n  - {name: strike_at_port, all: [STRIKE, PORT], weight: 1}\n"
        "discovery:\n  queries:\n"
        "    - {query: '\"ILA\" strike', lang: en}\n"  # a quoted phrase of three letters: GDELT refuses it
        "    - {query: longshoremen walkout, lang: any}\n",
        encoding="utf-8",
    )
    settings = discovery_settings.with_(topics_dir=topics)
    pipeline.prepare(settings)
    counts = pipeline.discover(settings)
    assert counts["queries"] == 3 and counts["query_errors"] == 1 and counts["errors"] == 0
    with session_scope(settings.db_url) as s:
        by_text = {q.query: q for q in s.scalars(select(DiscoveryQuery))}
    refused = by_text['"ILA" strike']
    assert refused.last_error_kind == "query_rejected"
    assert refused.last_error == "The specified phrase is too short."
    assert by_text["(strike OR walkout) (port OR docks)"].last_error_kind is None
    assert (
        by_text["longshoremen walkout"].lang == "any" and by_text["longshoremen walkout"].origin == "written"
    )
    written_any = next(r for r in gdelt.requests if "longshoremen" in r.query)
    assert written_any.query == "longshoremen walkout"  # no language filter for "any"
    assert _provider(settings.db_url).consecutive_errors == 0


def test_a_found_link_to_a_private_address_is_never_fetched_without_the_operator_s_allowance(
    discovery_settings, gdelt, demo_server
):
    """The provider may be allowed its own host:port; the links it returns open nothing."""
    settings = discovery_settings.with_(allowed_private=frozenset())
    base = demo_server.base_url
    gdelt.articles["english"] = [
        gdelt.article(base + DAILY, "a page on the demo host"),
        gdelt.article("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        gdelt.article(gdelt.server.url("/api/v2/doc/doc?query=x"), "the provider itself"),
    ]
    summary = pipeline.run_once(settings, force_poll=True)
    assert summary["discover"]["new_entries"] == 3
    with session_scope(settings.db_url) as s:
        found = s.scalars(select(Entry).where(Entry.provider_id.is_not(None))).all()
        assert len(found) == 3
        assert all(e.state == "gave_up" and (e.fetch_error or "").startswith("ssrf_blocked") for e in found)
        assert s.scalar(select(func.count()).select_from(Copy).where(Copy.feed_id.is_(None))) == 0
        assert s.scalar(select(func.count()).select_from(Copy)) > 0  # the feed's own articles: allowed


def test_the_provider_s_allowance_is_its_own_host_and_port_never_a_redirect_onward(
    discovery_settings, gdelt, server
):
    """A provider on 127.0.0.1 that redirects to another local port: refused, as for a feed."""
    server.route("/api/v2/doc/doc", redirect(302, gdelt.url + "?query=x&mode=artlist&format=json"))
    discovery_settings.discovery_file.write_text(
        discovery_yaml(gdelt).replace(gdelt.url, server.url("/api/v2/doc/doc")), encoding="utf-8"
    )
    pipeline.prepare(discovery_settings)
    counts = pipeline.discover(discovery_settings)
    assert counts["errors"] == 1 and gdelt.requests == []
    assert _provider(discovery_settings.db_url).last_error_kind == "ssrf_blocked"
