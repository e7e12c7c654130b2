"""`newsmon feeds check --reachable`, the starter feed list, and `newsmon discovery check|queries|run`."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.cli import main
from newsmon.config.feeds import load_feeds
from newsmon.feeds.reachable import check_feeds
from newsmon.http.politeness import HostLimiter
from newsmon.pipeline import http_policy
from tests.discovery.conftest import SEARCHES, serve_story
from tests.feeds.samples import RSS20
from tests.http.localserver import static

REPO = Path(__file__).resolve().parents[2]
STARTER = REPO / "config" / "feeds.starter.yaml"
RSS20_BYTES = RSS20.encode()


def test_the_starter_list_is_valid_and_covers_the_languages_the_story_breaks_in():
    feeds = load_feeds(STARTER)
    assert len(feeds) >= 40
    assert all(f.lang and f.tags and not f.allow_private for f in feeds)
    assert all(f.url.startswith("https://") for f in feeds)
    langs = {f.lang for f in feeds}
    assert {"kk", "uz", "tg", "ar", "ckb", "sq", "fr", "de", "ru", "en"} <= langs
    kinds = {t for f in feeds for t in f.tags}
    assert {"agency", "regional"} <= kinds


def test_reachable_says_which_feeds_answer_and_that_it_needs_the_internet(server, tmp_path, capsys):
    good = server.route("/rss.xml", static(200, RSS20_BYTES, {"Content-Type": "application/rss+xml"}))
    page = server.route(
        "/page", static(200, b"<!doctype html><html><body>hi</body></html>", {"Content-Type": "text/html"})
    )
    gone = server.url("/missing.xml")
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "feeds:\n"
        f"  - {{url: '{good}', name: Good, lang: en, allow_private: true}}\n"
        f"  - {{url: '{page}', name: A web page, allow_private: true}}\n"
        f"  - {{url: '{gone}', name: Gone, allow_private: true}}\n"
        "  - {url: 'https://feeds.example.invalid/rss', name: Unresolvable}\n"
        f"  - {{url: '{server.url('/rss.xml', host='localhost')}', name: Private without allowance}}\n",
        encoding="utf-8",
    )
    assert main(["feeds", "check", "--reachable", str(feeds)]) == 1
    out = capsys.readouterr().out
    assert "over the internet" in out and "without internet access" in out
    lines = {line.split()[1]: line for line in out.splitlines() if line.startswith(("answers", "FAILS"))}
    assert lines[good].startswith("answers") and "rss20" in lines[good] and "items" in lines[good]
    assert lines[page].startswith("FAILS") and "not_a_feed" in lines[page]
    assert lines[gone].startswith("FAILS") and "not_found" in lines[gone]
    assert "dns" in lines["https://feeds.example.invalid/rss"]
    assert "ssrf_blocked" in lines[server.url("/rss.xml", host="localhost")]
    assert "1 of 5 feeds answer" in out


def test_reachable_exits_zero_when_every_feed_answers(server, tmp_path, capsys):
    good = server.route("/rss.xml", static(200, RSS20_BYTES, {"Content-Type": "application/rss+xml"}))
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - {{url: '{good}', name: Good, allow_private: true}}\n", encoding="utf-8")
    assert main(["feeds", "check", "--reachable", str(feeds)]) == 0
    assert "1 of 1 feeds answer" in capsys.readouterr().out
    assert len(server.requests) == 1  # nothing stored, nothing else asked


def test_check_feeds_keeps_the_list_order(server):
    urls = [server.route(f"/f{i}.xml", static(200, RSS20_BYTES)) for i in range(4)]
    feeds = load_feeds_text_for(urls)
    results = check_feeds(feeds, lambda f: http_policy_for(f), HostLimiter(min_delay=0), workers=4)
    assert [r.feed.url for r in results] == urls and all(r.ok for r in results)


def load_feeds_text_for(urls: list[str]):
    from newsmon.config.feeds import load_feeds_text

    return load_feeds_text(
        "feeds:\n"
        + "".join(f"  - {{url: '{u}', name: F{i}, allow_private: true}}\n" for i, u in enumerate(urls))
    )


def http_policy_for(feed):
    from newsmon.config.settings import load_settings

    return http_policy(load_settings(), feed.allowed_private_pairs())


def test_discovery_check_reports_every_problem_as_file_and_line(tmp_path, capsys):
    bad = tmp_path / "discovery.yaml"
    bad.write_text(
        "providers:\n"
        "  - name: gdelt\n"
        "    kind: gdelt\n"
        "    url: https://api.gdeltproject.org/api/v2/doc/doc?query=x\n"
        "    max_records: 1000\n"
        "  - name: news\n"
        "    kind: rss\n"
        "    url: https://search.example/rss\n"
        "    format: json\n"
        "    request_spacing: soon\n"
        "  - name: gdelt\n"
        "    kind: gdelt\n"
        "    url: https://api.gdeltproject.org/api/v2/doc/doc\n"
        "    colour: blue\n",
        encoding="utf-8",
    )
    assert main(["discovery", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:5: providers/0/max_records: 1000 is greater than the maximum of 250" in err
    assert f"{bad}:14: providers/2: Additional properties are not allowed ('colour' was unexpected)" in err
    bad.write_text(
        bad.read_text().replace("max_records: 1000", "max_records: 100").replace("    colour: blue\n", "")
    )
    assert main(["discovery", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:4: a gdelt provider's url is the API endpoint alone" in err
    assert f"{bad}:8: an rss provider's url is a template: it needs {{query}}" in err
    assert f"{bad}:9: format applies to gdelt providers only" in err
    assert f"{bad}:10: request_spacing must be seconds like 5 or '5s', not 'soon'" in err
    assert f"{bad}:11: duplicate provider name 'gdelt' (first at line 2)" in err


def test_discovery_can_be_turned_off_and_is_off_without_a_file(tmp_path):
    from newsmon.config.settings import load_settings
    from newsmon.pipeline import discover, discovery_providers

    assert load_settings({"NEWSMON_DISCOVERY_FILE": "off"}).discovery_file is None
    assert load_settings({}).discovery_file == load_settings({}).config_dir / "discovery.yaml"
    missing = load_settings({"NEWSMON_DISCOVERY_FILE": str(tmp_path / "none.yaml")})
    assert discovery_providers(missing) == [] and discover(missing) == {}


def test_the_shipped_discovery_file_is_valid(capsys):
    assert main(["discovery", "check", str(REPO / "config" / "discovery.yaml")]) == 0
    assert "2 providers OK (1 enabled)" in capsys.readouterr().out


@pytest.fixture
def cli_env(monkeypatch, discovery_settings):
    monkeypatch.setenv("NEWSMON_DB_URL", discovery_settings.db_url)
    monkeypatch.setenv("NEWSMON_FEEDS_FILE", str(discovery_settings.feeds_file))
    monkeypatch.setenv("NEWSMON_DISCOVERY_FILE", str(discovery_settings.discovery_file))
    return discovery_settings


def test_discovery_queries_and_run(cli_env, gdelt, demo_server, capsys):
    assert main(["discovery", "queries", "--urls"]) == 0
    out = capsys.readouterr().out
    assert f"gdelt (gdelt, enabled, english terms): {SEARCHES} searches" in out
    assert "child_repatriation [ru] generated: (child OR children OR kids)" in out
    assert "sourcelang%3Arussian" in out and "mode=artlist" in out
    assert gdelt.requests == []  # printing the searches sends none

    serve_story(gdelt, demo_server)
    assert main(["discovery", "run"]) == 0
    out = capsys.readouterr().out
    assert '"new_entries": 4' in out and '"errors": 0' in out


def test_a_topic_s_discovery_section_is_checked_with_file_and_line(tmp_path):
    from newsmon.topics.model import TopicConfigError, load_topic

    topic = tmp_path / "t.yaml"
    base = (
        "title: T\nthreshold: 1\nlanguages: [en, de]\n"
        "concepts:\n  A:\n    en: [alpha]\n  B:\n    en: [beta]\n"
        "rules:\n  - {name: r, all: [A, B], weight: 1}\n"
    )
    for section, line, message in (
        (
            "discovery:\n  languages: [en, fr]\n",
            12,
            "discovery: language 'fr' is not a language of the topic",
        ),
        ("discovery:\n  queries:\n    - {query: '\"alpha beta', lang: en}\n", 13, "unbalanced quotes"),
        (
            "discovery:\n  queries:\n    - {query: 'alpha (beta', lang: de}\n",
            13,
            "unbalanced quotes or parentheses",
        ),
        (
            "discovery:\n  queries:\n    - {query: 'alpha beta', lang: kk}\n",
            13,
            "language 'kk' is not a language",
        ),
        (
            "discovery:\n  queries:\n    - {query: 'alpha', lang: en, providers: [Bad Name]}\n",
            13,
            "does not match",
        ),
        ("discovery:\n  generate: maybe\n", 12, "'maybe' is not of type 'boolean'"),
    ):
        topic.write_text(base + section, encoding="utf-8")
        with pytest.raises(TopicConfigError, match=rf"^{topic}:{line}: .*{message}"):
            load_topic(topic)
    topic.write_text(
        base + "discovery:\n  generate: false\n  queries:\n    - {query: '\"alpha beta\" (gamma OR delta)', "
        "lang: any, providers: [gdelt]}\n",
        encoding="utf-8",
    )
    spec = load_topic(topic).discovery
    assert not spec.generate and spec.queries[0].lang == "any" and spec.queries[0].providers == ("gdelt",)
