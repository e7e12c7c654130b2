"""A machine-spun copy through the real `news_monitor` DAG (real Airflow, the demo corpus on 127.0.0.1,
real aiosmtpd, SQLite and PostgreSQL): published hours after the wire story, with a third of its words
swapped for synonyms, it joins the wire story, and the story, alerted already, gets no second email.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from newsmon.store.db import session_scope
from newsmon.store.models import Copy, Story
from tests.dags.test_alerts_dag import (  # noqa: F401  (monitor_env is a fixture)
    WIRE_STORY,
    alert_messages,
    alert_rows,
    article_page,
    flagged_pairs,
    monitor_env,
    publish,
    run_dag,
    task_result,
    wire_paragraphs,
)

SPUN_PAGE = "/daily/news/2026/03/16/kyrgyz-kids-returned-from-syria.html"
SPUN_TITLE = "Kyrgyz kids returned from Syrian camp"
# A spinner's table: common words only, names and figures untouched (as real spinners do).
SYNONYMS = {
    "children": "kids",
    "said": "stated",
    "from": "out of",
    "camp": "encampment",
    "returned": "brought back",
    "flight": "aircraft",
    "plane": "aircraft",
    "landed": "touched down",
    "women": "females",
    "mothers": "moms",
    "officials": "authorities",
    "government": "administration",
    "home": "back home",
    "after": "following",
    "more": "additional",
    "will": "are going to",
    "were": "had been",
    "their": "the",
    "about": "roughly",
    "most": "the majority",
    "years": "yrs",
    "which": "that",
    "also": "additionally",
    "help": "assist",
    "first": "initial",
    "group": "team",
}


def spin(paragraph: str) -> str:
    def swap(m: re.Match) -> str:
        word = m.group(0)
        new = SYNONYMS.get(word.lower())
        if new is None:
            return word
        return new.capitalize() if word[0].isupper() else new

    return re.sub(r"[A-Za-z]+", swap, paragraph)


def test_a_spun_copy_published_hours_later_joins_the_story_and_sends_no_second_alert(
    monitor_env,  # noqa: F811  (the fixture imported above)
    demo_server,
    smtp_sink,
):
    db_url = monitor_env
    assert run_dag("news_monitor").state == "success"
    pairs = flagged_pairs(db_url)
    alerts = alert_rows(db_url)
    sent = len(alert_messages(smtp_sink))
    with session_scope(db_url) as s:
        wire_story_id = s.scalar(select(Copy.story_id).where(Copy.url.endswith(WIRE_STORY)))
        copies_before = s.scalar(select(Story.copies_count).where(Story.id == wire_story_id))
    assert any(story == wire_story_id for story, _ in pairs)  # the wire story was alerted

    original = wire_paragraphs(demo_server)
    spun = [spin(p) for p in original]
    assert sum(a != b for a, b in zip(original, spun, strict=True)) >= len(original) - 1  # really spun
    publish(
        demo_server,
        SPUN_PAGE,
        SPUN_TITLE,
        article_page(SPUN_TITLE, spun, "2026-03-16T14:40:00Z"),
        "2026-03-16T14:40:00Z",
    )
    run = run_dag("news_monitor")
    assert run.state == "success"
    with session_scope(db_url) as s:
        copy = s.scalars(select(Copy).where(Copy.url.endswith(SPUN_PAGE))).one()
        assert copy.story_id == wire_story_id
        assert s.scalar(select(Story.copies_count).where(Story.id == wire_story_id)) == copies_before + 1
    assert flagged_pairs(db_url) == pairs
    assert alert_rows(db_url) == alerts
    assert len(alert_messages(smtp_sink)) == sent
    assert task_result(run, "send_alerts")["sent"] == 0
