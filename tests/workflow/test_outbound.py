"""The per-topic Atom feed, its tokens, the CSV/JSON export and the first-run message of the News Monitor
app (mounted under /newsmon as Airflow mounts it, through TestClient; the browser test does the same
against a real api-server): the feed parses without a fault, carries only links the link rule allows,
answers only to the topic's current token and never logs it."""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
from datetime import UTC, datetime

import feedparser
import pytest
from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
from airflow.api_fastapi.core_api.security import get_user
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from newsmon.cli import tokens as tokens_cli
from newsmon.outbound import tokens
from newsmon.store.db import session_scope, upgrade
from newsmon.store.models import Copy, Feed, FeedToken, Story
from newsmon_ui.app import create_app
from tests.ui.seed import SCRIPT_TITLE, seed

BASE = "http://testserver/newsmon"


@pytest.fixture
def data(tmp_path):
    return seed(f"sqlite:///{tmp_path / 'newsmon.db'}")


def _client(url: str, user: str | None = None) -> TestClient:
    sub = create_app(lambda: url)
    if user is not None:
        sub.dependency_overrides[get_user] = lambda: SimpleAuthManagerUser(username=user, role="viewer")
    root = FastAPI()
    root.mount("/newsmon", sub)
    return TestClient(root, base_url="http://testserver")


def _issue(url: str, topic: str = "repatriation") -> str:
    with session_scope(url) as s:
        return tokens.issue(s, topic, datetime.now(UTC))


def test_the_feed_answers_only_to_the_current_token_and_never_logs_it(data, caplog):
    client = _client(data.url)
    feed = "/newsmon/feeds/repatriation.atom"
    with caplog.at_level(logging.DEBUG):
        assert client.get(feed).status_code == 403
        assert client.get(feed, params={"token": "guess"}).status_code == 403
        first = _issue(data.url)
        ok = client.get(feed, params={"token": first})
        assert ok.status_code == 200 and ok.headers["content-type"].startswith("application/atom+xml")
        assert client.get("/newsmon/feeds/detention.atom", params={"token": first}).status_code == 403
        second = _issue(data.url)  # rotate
        assert client.get(feed, params={"token": first}).status_code == 403
        assert client.get(feed, params={"token": second}).status_code == 200
        with session_scope(data.url) as s:
            assert tokens.revoke(s, "repatriation")
        assert client.get(feed, params={"token": second}).status_code == 403
    assert first not in caplog.text and second not in caplog.text
    assert "refused" in caplog.text
    with session_scope(data.url) as s:  # only the hash is stored
        assert s.scalars(select(FeedToken)).all() == []


def test_the_feed_parses_cleanly_with_hostile_text_and_links_only_what_the_link_rule_allows(data):
    with session_scope(data.url) as s:  # characters XML cannot carry, in a stored title
        s.execute(
            update(Story)
            .where(Story.id == data.repatriation_id)
            .values(title="Fourteen\x0b children\x01 home")
        )
    token = _issue(data.url)
    response = _client(data.url).get("/newsmon/feeds/repatriation.atom", params={"token": token})
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title.startswith("newsmon:")
    by_link = {e.link: e for e in parsed.entries}
    story = by_link[f"{BASE}/stories/{data.repatriation_id}"]
    assert story.title == "Fourteen children home"
    assert "Score 0.91" in story.content[0].value and "3 copies" in story.content[0].value
    assert (
        "<strong>al-Hol camp</strong>" in story.content[0].value
    )  # the evidence, terms in bold (kept by readers)
    assert {link.href for link in story.links} == {
        f"{BASE}/stories/{data.repatriation_id}",
        "https://north.example/al-hol-children",
    }
    hostile = by_link[f"{BASE}/stories/{data.hostile_id}"]
    assert hostile.title == SCRIPT_TITLE  # text, not markup
    assert not any(link.href.startswith("javascript") for link in hostile.links)
    assert 'href="javascript' not in response.text  # the original's javascript: URL is shown as text only
    assert "<script>" not in response.text and token not in response.text
    again = feedparser.parse(
        _client(data.url).get("/newsmon/feeds/repatriation.atom", params={"token": token}).content
    )
    assert [e.id for e in again.entries] == [e.id for e in parsed.entries]  # stable entry ids


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="newsmon")
    parser.add_argument("--db")
    tokens_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code = args.func(args)
    return code, capsys.readouterr().out


def test_cli_creates_rotates_lists_and_revokes_tokens(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path / 'n.db'}"
    monkeypatch.setenv("NEWSMON_UI_URL", "https://news.example/newsmon")
    code, out = _cli(["--db", url, "tokens", "create", "child_repatriation"], capsys)
    assert code == 0 and "https://news.example/newsmon/feeds/child_repatriation.atom?token=" in out
    first = out.split("token=", 1)[1].split()[0]
    assert len(first) >= 40
    code, out = _cli(["--db", url, "tokens", "create", "child_repatriation"], capsys)
    assert code == 1 and "rotate" in out
    code, out = _cli(["--db", url, "tokens", "rotate", "child_repatriation"], capsys)
    second = out.split("token=", 1)[1].split()[0]
    assert code == 0 and second != first
    code, out = _cli(["--db", url, "tokens", "list"], capsys)
    assert "child_repatriation: token made" in out and second not in out
    with session_scope(url) as s:
        assert tokens.verify(s, "child_repatriation", second) and not tokens.verify(
            s, "child_repatriation", first
        )
        assert second not in s.scalar(select(FeedToken.token_hash))
    assert _cli(["--db", url, "tokens", "create", "no_such_topic"], capsys)[0] == 2
    assert _cli(["--db", url, "tokens", "revoke", "child_repatriation"], capsys)[0] == 0
    assert _cli(["--db", url, "tokens", "revoke", "child_repatriation"], capsys)[0] == 1


def test_csv_and_json_export_the_filtered_list_and_defuse_formulas(data):
    with session_scope(data.url) as s:
        s.execute(
            update(Story).where(Story.id == data.repatriation_id).values(title='=HYPERLINK("http://x")')
        )
    client = _client(data.url, user="ann")
    response = client.get("/newsmon/export.csv", params={"topic": "repatriation", "sort": "score"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [int(r["story_id"]) for r in table] == [data.repatriation_id, data.hostile_id]  # by score
    assert (
        table[0]["title"] == '\'=HYPERLINK("http://x")'
        and table[0]["url"] == f"{BASE}/stories/{data.repatriation_id}"
    )
    assert table[0]["copies"] == "3" and table[0]["topic"] == "repatriation"
    as_json = json.loads(client.get("/newsmon/export.json", params={"topic": "detention"}).content)
    assert as_json["count"] == 1 and as_json["filters"] == {"topic": "detention"}
    assert as_json["stories"][0]["story_id"] == data.detention_id
    assert _client(data.url).get("/newsmon/export.csv").status_code == 401  # behind the login


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("nothing", ["No feeds are configured", "make run-demo"]),
        ("failing", ["1 of 1 feed is failing", "Feed health"]),
        ("unflagged", ["seen 1 story (1 copy); no topic flagged any of them", "Topic preview"]),
    ],
)
def test_an_empty_list_says_why(tmp_path, setup, expected):
    url = f"sqlite:///{tmp_path / 'n.db'}"
    upgrade(url)
    now = datetime.now(UTC)
    with session_scope(url) as s:
        if setup in ("failing", "unflagged"):
            s.add(
                Feed(
                    url="http://127.0.0.1:9/x.xml",
                    name="X",
                    created_at=now,
                    consecutive_errors=int(setup == "failing"),
                )
            )
        if setup == "unflagged":
            story = Story(title="Football", first_seen_at=now, last_copy_at=now, copies_count=1)
            s.add(story)
            s.flush()
            s.add(Copy(url_key="a/b", url="https://a/b", title="Football", story_id=story.id, fetched_at=now))
    page = _client(url, user="ann").get("/newsmon/").text
    assert 'id="first-run"' in page
    for text in expected:
        assert text in page
    filtered = _client(url, user="ann").get("/newsmon/", params={"q": "nothing"}).text
    assert 'id="first-run"' not in filtered and "No flagged stories match these filters." in filtered
