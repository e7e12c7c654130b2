"""The News Monitor FastAPI app through TestClient: auth, escaping, validation, feedback, the JSON API.

The app is mounted under /newsmon in a parent app, as Airflow mounts it. The login is overridden only in
tests about something else; the 401 tests use Airflow's real dependency.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
from airflow.api_fastapi.core_api.security import get_user
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from newsmon.store import queries
from newsmon_ui import charts
from newsmon_ui.app import PUBLIC_PATHS, create_app
from newsmon_ui.highlight import Segment, highlight
from tests.ui.seed import SCRIPT_TITLE, seed


@pytest.fixture
def data(tmp_path):
    return seed(f"sqlite:///{tmp_path / 'newsmon.db'}")


def _client(url: str, user: str | None = "ann") -> tuple[TestClient, FastAPI]:
    sub = create_app(lambda: url)
    if user is not None:
        sub.dependency_overrides[get_user] = lambda: SimpleAuthManagerUser(username=user, role="viewer")
    root = FastAPI()
    root.mount("/newsmon", sub)
    return TestClient(root, base_url="http://testserver"), sub


def test_every_route_answers_401_without_an_airflow_login(data):
    """Every route but the health status and the topic feeds (PUBLIC_PATHS, tested in
    tests/ui/test_health.py and tests/workflow/test_outbound.py)."""
    client, app = _client(data.url, user=None)
    routes = [r for r in app.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 10
    assert [r.path for r in routes if r.path in PUBLIC_PATHS] == ["/api/health", "/feeds/{topic}.atom"]
    for route in routes:
        if route.path in PUBLIC_PATHS:
            continue
        path = route.path.replace("{story_id}", str(data.repatriation_id)).replace("{name}", "newsmon.css")
        path = path.replace("{fmt}", "csv")
        for method in route.methods:
            response = client.request(method, "/newsmon" + path)
            assert response.status_code == 401, (method, path)
            assert "Content-Security-Policy" in response.headers
    page = client.get("/newsmon/")
    assert "text/html" in page.headers["content-type"] and "log in" in page.text.lower()
    assert client.get("/newsmon/api/stories").json() == {"detail": "Not authenticated"}
    for hidden in ("/newsmon/docs", "/newsmon/openapi.json", "/newsmon/redoc"):
        assert client.get(hidden).status_code in (401, 404)


def test_list_page_escapes_stored_text_and_sets_a_strict_csp(data):
    client, _ = _client(data.url)
    response = client.get("/newsmon/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>alert" not in response.text
    assert "Camp report &lt;script&gt;alert(1)&lt;/script&gt; update" in response.text
    assert re.findall(r"<script[^>]*>", response.text) == ['<script src="/newsmon/static/newsmon.js" defer>']
    assert "Signed in as <strong>ann</strong>" in response.text


def test_detail_page_never_links_a_javascript_url_and_highlights_evidence(data):
    client, _ = _client(data.url)
    hostile = client.get(f"/newsmon/stories/{data.hostile_id}").text
    assert 'href="javascript' not in hostile and "<img" not in hostile and "<script>alert" not in hostile
    page = client.get(f"/newsmon/stories/{data.repatriation_id}?topic=repatriation").text
    assert '<mark class="ev term">al-Hol camp</mark>' in page
    assert page.count('<tr class="copy') == 3
    assert 'href="https://wire.example/2/children-home" target="_blank" rel="noopener noreferrer"' in page


@pytest.mark.parametrize(
    "query",
    [
        "min_score=-1",
        "sort=title;DROP TABLE stories",
        "order=sideways",
        "topic=a'%20OR%201=1--",
        "lang=english!",
        "page=0",
        "per_page=100000",
        "date_from=2026-02-30",
        "date_from=2026-03-02&date_to=2026-03-01",
        "bogus=1",
        "q=" + "x" * 201,
    ],
)
def test_bad_filters_are_refused_before_any_query(data, query):
    client, _ = _client(data.url)
    assert client.get(f"/newsmon/api/stories?{query}").status_code == 422
    page = client.get(f"/newsmon/?{query}")
    assert page.status_code == 422 and "Invalid request" in page.text


def test_empty_form_fields_mean_no_filter(data):
    client, _ = _client(data.url)
    response = client.get("/newsmon/?q=&topic=&lang=&min_score=&date_from=&date_to=&feedback=any")
    assert response.status_code == 200 and "3 flagged stories match" in response.text


def test_feedback_form_saves_for_the_logged_in_user_and_redirects(data):
    client, _ = _client(data.url, user="ann")
    sid = data.repatriation_id
    response = client.post(
        f"/newsmon/stories/{sid}/feedback",
        data={"topic": "repatriation", "verdict": "relevant", "note": "<b>sure</b>"},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/newsmon/stories/{sid}?topic=repatriation&saved=1"
    page = client.get(response.headers["location"]).text
    assert 'You marked this <strong class="good">relevant</strong>' in page
    assert "&lt;b&gt;sure&lt;/b&gt;" in page
    row = client.get("/newsmon/api/stories", params={"lang": "fr"}).json()["rows"][0]
    assert row["feedback"] == {"relevant": 1, "not_relevant": 0, "mine": True}


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}],
    ids=["origin", "fetch-site"],
)
def test_cross_site_feedback_posts_are_refused(data, headers):
    client, _ = _client(data.url)
    response = client.post(
        f"/newsmon/stories/{data.repatriation_id}/feedback",
        data={"topic": "repatriation", "verdict": "relevant"},
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert client.get("/newsmon/api/stories", params={"feedback": "relevant"}).json()["total"] == 0


def test_json_api_list_detail_feedback_and_schema(data):
    client, _ = _client(data.url, user="bob")
    listing = client.get("/newsmon/api/stories", params={"topic": "repatriation", "sort": "score"}).json()
    assert listing["total"] == 2 and [r["score"] for r in listing["rows"]] == [0.91, 0.55]
    # JSON carries the text as it is; escaping is the HTML view's job
    assert listing["rows"][1]["title"] == SCRIPT_TITLE

    detail = client.get(f"/newsmon/api/stories/{data.repatriation_id}").json()
    assert len(detail["copies"]) == 3 and detail["original"]["site"] == "north.example"
    assert detail["flags"][0]["evidence"][0]["weight"] == 0.62

    put = client.put(
        f"/newsmon/api/stories/{data.repatriation_id}/feedback",
        json={"topic": "repatriation", "relevant": False, "note": "duplicate of last week"},
    )
    assert put.status_code == 200 and put.json()["user"] == "bob"
    assert (
        client.put(
            f"/newsmon/api/stories/{data.repatriation_id}/feedback", json={"topic": "nope", "relevant": True}
        ).status_code
        == 404
    )
    assert client.get("/newsmon/api/stories/999999").status_code == 404

    feeds = {f["feed"]["name"]: f["status"] for f in client.get("/newsmon/api/feeds").json()}
    assert feeds == {"North Media": "ok", "Broken Wire <b>bold</b>": "backing_off"}
    assert sum(d["stories"] for d in client.get("/newsmon/api/stats/flagged-per-day").json()) == 3

    schema = client.get("/newsmon/api/openapi.json").json()
    api_paths = {"/api/stories", "/api/stories/{story_id}", "/api/stories/{story_id}/feedback"}
    assert api_paths <= set(schema["paths"])
    assert "/stories/{story_id}" not in schema["paths"]  # HTML pages are not part of the API


def test_merged_story_link_redirects_to_the_surviving_story(data):
    from newsmon.store.db import session_scope
    from newsmon.store.models import Story

    with session_scope(data.url) as s:
        s.get(Story, data.unflagged_id).merged_into_id = data.repatriation_id
    client, _ = _client(data.url)
    response = client.get(f"/newsmon/stories/{data.unflagged_id}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/newsmon/stories/{data.repatriation_id}"
    assert client.get("/newsmon/stories/424242").status_code == 404


def test_feed_health_page_shows_why_a_feed_fails(data):
    client, _ = _client(data.url)
    page = client.get("/newsmon/feeds").text
    assert "HTTP 503 Service Unavailable &lt;script&gt;alert(4)&lt;/script&gt;" in page
    assert "backing off" in page and "<code>http_status</code>" in page


def test_highlight_marks_sentences_and_terms_across_reflowed_whitespace():
    text = "Intro line.\n\nThe  children were\tflown home today. Other news."
    paras = highlight(text, ["The children were flown home today."], ["flown home", "<script>"])
    assert paras[0] == [Segment("Intro line.")]
    flat = [s for p in paras[1:] for s in p]
    assert Segment("flown home", evidence=True, term=True) in flat
    assert all(not s.evidence for s in flat if "Other news" in s.text)
    assert highlight("<script>x</script>", ["<script>x</script>"], []) == [
        [Segment("<script>x</script>", evidence=True)]
    ]


def test_daily_chart_stacks_topics_per_day():
    today = date(2026, 3, 10)
    counts = [
        queries.DayCount(today, "a", 2),
        queries.DayCount(today, "b", 3),
        queries.DayCount(date(2026, 1, 1), "a", 9),  # outside the window
    ]
    chart = charts.daily_chart(counts, today, 7)
    assert chart.total == 5 and len(chart.bars) == 2
    top = min(b.y for b in chart.bars)
    assert top == pytest.approx(chart.plot_top)  # the busiest day reaches the top of the scale
    assert [t for t, _ in chart.legend] == ["a", "b"]


def test_evidence_against_the_topic_is_marked_apart_from_evidence_for_it():
    text = "Children were flown home from the camp. The museum will return the bronzes."
    paras = highlight(
        text, ["Children were flown home from the camp."], ["flown home", "return"], ["The museum will"]
    )
    flat = paras[0]
    assert Segment("flown home", evidence=True, term=True) in flat
    assert Segment("The museum will", evidence=True, against=True) in flat
    assert all(not s.evidence for s in flat if "bronzes" in s.text)


def test_daily_chart_labels_the_newest_day():
    chart = charts.daily_chart([], date(2026, 3, 30), 30)
    assert chart.x_ticks[-1].text == "30 Mar"
    assert chart.x_ticks[0].text == "01 Mar"


def test_story_page_says_when_the_language_is_not_covered(data):
    from newsmon.store.db import session_scope
    from newsmon.store.models import Flag

    client, _ = _client(data.url)
    page = client.get(f"/newsmon/stories/{data.repatriation_id}?topic=repatriation").text
    assert "language not covered" not in page
    with session_scope(data.url) as s:
        flag = s.query(Flag).filter_by(story_id=data.repatriation_id, topic="repatriation").one()
        flag.evidence = {**flag.evidence, "language_covered": False,
                         "language_note": "language not covered: sk (read with cs terms) <b>"}  # fmt: skip
    page = client.get(f"/newsmon/stories/{data.repatriation_id}?topic=repatriation").text
    assert 'class="badge warn language-note"' in page
    assert "language not covered: sk (read with cs terms) &lt;b&gt;" in page
