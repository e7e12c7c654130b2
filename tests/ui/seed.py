"""A small newsmon database for the UI tests, written through the ORM.

The texts are written for these tests. Story "repatriation" is the analyst's typical case (an original
and two syndicated copies, one in French, an alert sent); story "hostile" carries script in every field
a page shows, to prove it renders as text. The browser test gets its typical case from the real pipeline
on the demo corpus and adds only what the demo lacks (`seed_hostile`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from newsmon.store.db import session_scope, upgrade
from newsmon.store.models import Alert, Copy, Entry, Feed, Flag, Story

SCRIPT_TITLE = "Camp report <script>alert(1)</script> update"
NOW = datetime.now(UTC).replace(microsecond=0)

REPATRIATION_TEXT = """\
Fourteen children of foreign fighters were flown home on Tuesday from the al-Hol camp in north-east Syria, \
officials in Almaty said.

The children, the youngest aged three, had lived in the camp since 2019. The repatriation of children \
from the camps was organised with the Kurdish-led administration, which still holds thousands of \
families of suspected fighters.

A spokesperson said the returned children will spend several weeks in a rehabilitation centre before \
joining relatives.

Weather in the capital stayed mild for the season."""

EVIDENCE = {
    "topic": "repatriation",
    "score": 0.91,
    "flagged": True,
    "lang": "en",
    "evidence": [
        {
            "sentence": "Fourteen children of foreign fighters were flown home on Tuesday from the "
            "al-Hol camp in north-east Syria, officials in Almaty said.",
            "terms": ["children of foreign fighters", "flown home", "al-Hol camp"],
            "concepts": ["children", "return", "camp"],
            "weight": 0.62,
        },
        {
            "sentence": "The repatriation of children from the camps was organised with the Kurdish-led "
            "administration, which still holds thousands of families of suspected fighters.",
            "terms": ["repatriation", "children"],
            "concepts": ["return", "children"],
            "weight": 0.41,
        },
    ],
    "features": {
        "terms": 5.0,
        "concept_children": 1.0,
        "concept_return": 1.0,
        "place_match": 0.8,
        "negation": -0.1,
    },
}


@dataclass(frozen=True)
class Seeded:
    url: str
    repatriation_id: int
    hostile_id: int
    detention_id: int
    unflagged_id: int
    ok_feed_id: int
    failing_feed_id: int


def seed(url: str) -> Seeded:
    upgrade(url)
    with session_scope(url) as s:
        ok_feed = Feed(
            url="http://127.0.0.1:9/north.xml",
            name="North Media",
            lang="en",
            created_at=NOW,
            last_polled_at=NOW,
            last_success_at=NOW,
            consecutive_errors=0,
        )
        failing = _failing_feed()
        s.add_all([ok_feed, failing])
        s.flush()

        t0 = NOW - timedelta(hours=30)
        story = Story(
            title="Fourteen children of foreign fighters flown home from al-Hol camp",
            lang="en",
            first_seen_at=t0,
            last_copy_at=t0 + timedelta(hours=5),
            copies_count=3,
        )
        s.add(story)
        s.flush()
        copies = [
            Copy(
                url_key="north.example/al-hol-children",
                url="https://north.example/al-hol-children",
                site="north.example",
                title=story.title,
                published=t0,
                lang="en",
                text=REPATRIATION_TEXT,
                feed_id=ok_feed.id,
                story_id=story.id,
                fetched_at=t0,
            ),
            Copy(
                url_key="wire.example/2/children-home",
                url="https://wire.example/2/children-home",
                site="wire.example",
                title="Children of fighters return from Syrian camp",
                lang="en",
                published=t0 + timedelta(hours=2),
                text=REPATRIATION_TEXT,
                feed_id=ok_feed.id,
                story_id=story.id,
                fetched_at=t0 + timedelta(hours=2),
                attribution_site="north.example",
            ),
            Copy(
                url_key="nouvelles.example/enfants",
                url="https://nouvelles.example/enfants",
                site="nouvelles.example",
                title="Quatorze enfants rapatriés du camp d'al-Hol",
                lang="fr",
                published=t0 + timedelta(hours=5),
                text="Quatorze enfants ont été rapatriés.",
                feed_id=failing.id,
                story_id=story.id,
                fetched_at=t0 + timedelta(hours=5),
            ),
        ]
        s.add_all(copies)
        s.flush()
        story.original_copy_id = copies[0].id
        for i, c in enumerate(copies):
            s.add(
                Entry(
                    feed_id=c.feed_id,
                    key=f"e{i}",
                    link=c.url,
                    title=c.title,
                    first_seen_at=c.fetched_at,
                    state="done",
                    copy_id=c.id,
                )
            )
        s.add(
            Flag(
                story_id=story.id,
                topic="repatriation",
                score=0.91,
                copy_id=copies[0].id,
                evidence=EVIDENCE,
                flagged_at=t0 + timedelta(minutes=5),
                updated_at=t0,
            )
        )
        s.add(
            Alert(
                story_id=story.id,
                topic="repatriation",
                status="sent",
                recipients=["desk@example.org"],
                message_id="<a1@newsmon>",
                attempts=1,
                created_at=t0,
                sent_at=t0 + timedelta(minutes=6),
            )
        )

        hostile = _hostile_story(s)

        t2 = NOW - timedelta(days=3)
        detention = Story(
            title="Haftbedingungen in Lagern kritisiert",
            lang="de",
            first_seen_at=t2,
            last_copy_at=t2,
            copies_count=1,
        )
        s.add(detention)
        s.flush()
        dc = Copy(
            url_key="zeitung.example/lager",
            url="https://zeitung.example/lager",
            site="zeitung.example",
            title=detention.title,
            lang="de",
            story_id=detention.id,
            fetched_at=t2,
            text="Lager.",
        )
        s.add(dc)
        s.flush()
        detention.original_copy_id = dc.id
        s.add(
            Flag(
                story_id=detention.id,
                topic="detention",
                score=0.35,
                copy_id=dc.id,
                evidence={},
                flagged_at=t2,
                updated_at=t2,
            )
        )

        quiet = Story(
            title="Local football results", lang="en", first_seen_at=NOW, last_copy_at=NOW, copies_count=0
        )
        s.add(quiet)
        s.flush()
        return Seeded(url, story.id, hostile.id, detention.id, quiet.id, ok_feed.id, failing.id)


def _failing_feed() -> Feed:
    """A feed backing off after three errors, with markup in its name and in the server's error text."""
    return Feed(
        url="http://127.0.0.1:9/broken.xml",
        name="Broken Wire <b>bold</b>",
        lang="en",
        created_at=NOW,
        last_polled_at=NOW,
        last_success_at=NOW - timedelta(days=2),
        consecutive_errors=3,
        last_error_kind="http_status",
        last_error="HTTP 503 Service Unavailable <script>alert(4)</script>",
        next_poll_at=NOW + timedelta(hours=2),
    )


def _hostile_story(s, topic: str = "repatriation") -> Story:
    """A flagged story with script in its title, site, text, evidence and a javascript: URL."""
    t1 = NOW - timedelta(hours=3)
    hostile = Story(title=SCRIPT_TITLE, lang="en", first_seen_at=t1, last_copy_at=t1, copies_count=1)
    s.add(hostile)
    s.flush()
    hc = Copy(
        url_key="evil.example/x",
        url="javascript:alert(3)",
        site="evil.example <i>x</i>",
        title=SCRIPT_TITLE,
        published=t1,
        lang="en",
        story_id=hostile.id,
        fetched_at=t1,
        text="Children returned from the camp.\n<img src=x onerror=alert(2)> <script>alert(5)</script>",
    )
    s.add(hc)
    s.flush()
    hostile.original_copy_id = hc.id
    evidence = {
        "topic": topic,
        "score": 0.55,
        "evidence": [{"sentence": "<img src=x onerror=alert(2)>", "terms": ["<script>"], "weight": 0.3}],
        "features": {"<b>terms</b>": 2},
    }
    s.add(
        Flag(
            story_id=hostile.id,
            topic=topic,
            score=0.55,
            copy_id=hc.id,
            evidence=evidence,
            flagged_at=t1,
            updated_at=t1,
        )
    )
    return hostile


@dataclass(frozen=True)
class Hostile:
    story_id: int
    merged_id: int
    failing_feed_id: int


def seed_hostile(url: str, topic: str, merge_into: int) -> Hostile:
    """What the demo corpus lacks, added next to the pipeline's output: a flagged story with script in
    every stored field, a failing feed whose error text holds script, and a story already merged into
    `merge_into` (an old link to it, e.g. from an earlier alert, must lead to the surviving story)."""
    with session_scope(url) as s:
        failing = _failing_feed()
        s.add(failing)
        hostile = _hostile_story(s, topic)
        when = NOW - timedelta(days=1)
        merged = Story(
            title="Superseded duplicate", lang="en", first_seen_at=when, last_copy_at=when, copies_count=0
        )
        s.add(merged)
        s.flush()
        merged.merged_into_id = merge_into
        return Hostile(hostile.id, merged.id, failing.id)
