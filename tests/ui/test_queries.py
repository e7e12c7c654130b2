"""The read models behind the News Monitor page, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from newsmon.store import queries
from newsmon.store.db import session_scope
from newsmon.store.models import Feedback, Flag, Story
from newsmon.store.queries import StoryFilter
from tests.ui.seed import NOW, SCRIPT_TITLE, seed


@pytest.fixture
def data(db_url):
    return seed(db_url)


def _titles(url, user=None, **flt):
    with session_scope(url) as s:
        return [r.title for r in queries.list_flagged(s, StoryFilter(**flt), user=user).rows]


def test_list_shows_flagged_stories_newest_first_with_copies_and_languages(data):
    with session_scope(data.url) as s:
        page = queries.list_flagged(s, StoryFilter())
    assert page.total == 3
    assert [r.story_id for r in page.rows] == [data.hostile_id, data.repatriation_id, data.detention_id]
    rep = page.rows[1]
    assert (rep.topic, rep.score, rep.site, rep.copies_count) == ("repatriation", 0.91, "north.example", 3)
    assert rep.langs == ("en", "fr")  # most copies first
    assert rep.feedback.state == "none"
    assert rep.first_seen_at.tzinfo is not None


def test_filters_narrow_the_list(data):
    url = data.url
    assert _titles(url, topic="detention") == ["Haftbedingungen in Lagern kritisiert"]
    repatriation = "Fourteen children of foreign fighters flown home from al-Hol camp"
    assert _titles(url, lang="fr") == [repatriation]
    assert len(_titles(url, min_score=0.5)) == 2
    assert _titles(url, q="AL-HOL children") == [repatriation]
    assert _titles(url, q="<script>") == [SCRIPT_TITLE]
    assert _titles(url, q="%") == []  # a wildcard typed by the user is a literal character
    assert _titles(url, q="_") == []
    today = NOW.date()
    assert _titles(url, date_from=today - timedelta(days=2), date_to=today) != []
    assert _titles(url, date_from=today - timedelta(days=3), date_to=today - timedelta(days=3)) == [
        "Haftbedingungen in Lagern kritisiert"
    ]


def test_sort_and_pages(data):
    assert _titles(data.url, sort="score", descending=False)[0] == "Haftbedingungen in Lagern kritisiert"
    assert _titles(data.url, sort="copies")[0].startswith("Fourteen children")
    with session_scope(data.url) as s:
        second = queries.list_flagged(s, StoryFilter(sort="score", per_page=1, page=2))
    assert second.total == 3 and second.pages == 3
    assert [r.score for r in second.rows] == [0.55]


def test_feedback_is_one_row_per_user_and_feeds_the_list(data):
    url, sid = data.url, data.repatriation_id
    with session_scope(url) as s:
        queries.set_feedback(s, sid, "repatriation", "ann", True, "  ", NOW)
    with session_scope(url) as s:
        saved = queries.set_feedback(s, sid, "repatriation", "ann", False, "changed my mind", NOW)
        queries.set_feedback(s, sid, "repatriation", "bob", True, None, NOW)
    assert saved.note == "changed my mind"
    with session_scope(url) as s:
        rows = s.query(Feedback).filter_by(story_id=sid).all()
        assert sorted((f.user, f.relevant) for f in rows) == [("ann", False), ("bob", True)]
        only_this = StoryFilter(topic="repatriation", lang="fr")
        summary = queries.list_flagged(s, only_this, user="ann").rows[0].feedback
    assert (summary.relevant, summary.not_relevant, summary.mine, summary.state) == (1, 1, False, "mixed")
    assert _titles(url, feedback="none") == [SCRIPT_TITLE, "Haftbedingungen in Lagern kritisiert"]
    assert _titles(url, feedback="relevant") == [_titles(url, lang="fr")[0]]
    with session_scope(url) as s, pytest.raises(queries.UnknownFlag):
        queries.set_feedback(s, sid, "detention", "ann", True, None, NOW)


def test_detail_has_copies_in_order_evidence_and_alerts(data):
    with session_scope(data.url) as s:
        d = queries.story_detail(s, data.repatriation_id)
    assert [c.site for c in d.copies] == ["north.example", "wire.example", "nouvelles.example"]
    assert d.original is not None and d.original.is_original and d.original.site == "north.example"
    assert d.copies[1].attribution_site == "north.example"
    assert d.copies[0].feed_name == "North Media"
    assert d.text.startswith("Fourteen children")
    (flag,) = d.flags
    assert flag.evidence[0].terms[-1] == "al-Hol camp"
    assert flag.features[0] == ("terms", 5.0)
    assert flag.features[-1] == ("negation", -0.1)
    assert [(a.status, a.recipients) for a in d.alerts] == [("sent", ("desk@example.org",))]


def test_bad_evidence_json_does_not_break_the_detail(data):
    with session_scope(data.url) as s:
        flag = s.query(Flag).filter_by(story_id=data.detention_id).one()
        flag.evidence = {"evidence": ["not a dict", {"sentence": 3}, {"sentence": "ok", "weight": "x"}],
                         "features": {"a": "text", "b": True, "c": 2}}  # fmt: skip
    with session_scope(data.url) as s:
        (view,) = queries.story_detail(s, data.detention_id).flags
    assert [e.sentence for e in view.evidence] == ["ok"]
    assert dict(view.features) == {"b": 1.0, "c": 2.0}


def test_merged_story_resolves_to_the_story_that_absorbed_it(data):
    with session_scope(data.url) as s:
        s.get(Story, data.unflagged_id).merged_into_id = data.repatriation_id
    with session_scope(data.url) as s:
        assert queries.resolve_story_id(s, data.unflagged_id) == data.repatriation_id
        assert queries.resolve_story_id(s, data.repatriation_id) == data.repatriation_id
        assert queries.resolve_story_id(s, 999_999) is None


def test_feed_health_counts_and_status(data):
    with session_scope(data.url) as s:
        health = {h.feed_id: h for h in queries.feed_health(s)}
    ok, failing = health[data.ok_feed_id], health[data.failing_feed_id]
    assert (ok.entries, ok.stories, ok.status(NOW)) == (2, 1, "ok")
    assert (failing.entries, failing.stories, failing.status(NOW)) == (1, 1, "backing_off")
    assert failing.status(NOW + timedelta(hours=3)) == "failing"
    assert failing.last_error_kind == "http_status"


def test_flagged_per_day_buckets_by_utc_day(data):
    with session_scope(data.url) as s:
        counts = queries.flagged_per_day(s, 30, NOW)
        assert queries.flagged_per_day(s, 1, NOW - timedelta(days=60)) == []
    assert sum(c.stories for c in counts) == 3
    assert {c.topic for c in counts} == {"repatriation", "detention"}


def test_all_stories_scope_adds_unflagged_stories_last_when_sorted_by_score(data):
    with session_scope(data.url) as s:
        flagged = queries.list_flagged(s, StoryFilter())
        everything = queries.list_flagged(s, StoryFilter(scope="all", sort="score"))
        ascending = queries.list_flagged(s, StoryFilter(scope="all", sort="score", descending=False))
        topic_only = queries.list_flagged(s, StoryFilter(scope="all", topic="detention"))
    assert everything.total == flagged.total + 1
    for page in (everything, ascending):
        last = page.rows[-1]
        assert (last.story_id, last.topic, last.score) == (data.unflagged_id, None, None)
    assert [r.score for r in everything.rows[:-1]] == sorted((r.score for r in flagged.rows), reverse=True)
    assert [r.story_id for r in topic_only.rows] == [data.detention_id]  # a topic filter means flagged ones


def test_all_stories_by_score_pages_through_flagged_then_unflagged_without_overlap(data):
    with session_scope(data.url) as s:
        whole = queries.list_flagged(s, StoryFilter(scope="all", sort="score"))
        paged = [
            queries.list_flagged(s, StoryFilter(scope="all", sort="score", per_page=1, page=n)).rows[0]
            for n in range(1, whole.total + 1)
        ]
        first_seen = queries.list_flagged(s, StoryFilter(scope="all", sort="first_seen"))
        reviewed = queries.list_flagged(s, StoryFilter(scope="all", sort="score", feedback="relevant"))
        unreviewed = queries.list_flagged(s, StoryFilter(scope="all", sort="flagged", feedback="none"))
    assert [(r.story_id, r.topic) for r in paged] == [(r.story_id, r.topic) for r in whole.rows]
    assert {(r.story_id, r.topic) for r in whole.rows} == {(r.story_id, r.topic) for r in first_seen.rows}
    assert whole.total == first_seen.total == 4
    assert reviewed.total == 0  # no feedback yet, and an unflagged story can have none
    assert unreviewed.total == 4 and unreviewed.rows[-1].story_id == data.unflagged_id
