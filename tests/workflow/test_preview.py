"""`newsmon topics preview` and the library behind it, on the demo archive made by the real pipeline, on
SQLite and PostgreSQL: what an edited topic would flag and stop flagging, with evidence, and nothing
written (every table's row count unchanged; the transaction refuses a write)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError

from newsmon.cli import topics as cli
from newsmon.store.db import read_only_scope, session_scope
from newsmon.store.models import PipelineRun
from newsmon.topics.model import TopicConfigError
from newsmon.topics.preview import load_candidate, preview_topic
from newsmon.topics.version import topic_hash
from tests.workflow.helpers import (
    ENGINEERS,
    STORM,
    SYNDICATED,
    TOPIC,
    edit_topic,
    flags,
    row_counts,
    story_id,
    topics_copy,
)

SINCE = datetime.now(UTC) - timedelta(days=30)


@pytest.fixture
def archive(pending_archive):
    """The demo corpus through the real pipeline (no SMTP: the alerts wait)."""
    return pending_archive


def test_an_edited_topic_would_flag_two_stories_with_evidence_and_writes_nothing(archive, tmp_path):
    draft_dir = topics_copy(tmp_path, "drafts")
    draft = edit_topic(draft_dir)
    candidate, live = load_candidate(draft, topics_copy(tmp_path))
    assert live is not None and topic_hash(candidate) != topic_hash(live)
    before = row_counts(archive)

    preview = preview_topic(archive, candidate, since=SINCE, live=live)

    assert row_counts(archive) == before
    assert preview.changed and not preview.new_topic
    assert preview.stories == 13 and preview.copies == 15
    flagged = {r.story_id: r for r in preview.would_flag}
    assert set(flagged) == {story_id(archive, ENGINEERS), story_id(archive, STORM)}
    assert preview.would_flag_total == 2 and preview.would_unflag_total == 0
    assert preview.stored == preview.still_flagged == 2  # the two stories flagged now stay flagged
    engineers = flagged[story_id(archive, ENGINEERS)]
    assert engineers.stored_score is None and engineers.score >= engineers.threshold
    assert engineers.live_score == 0.0  # the live version does not flag it
    assert any("engineers" in e.terms for e in engineers.evidence)
    assert engineers.title.startswith("‘Bring them home’")
    assert preview.outdated == 2  # stored by the live version, not the edited one


def test_a_stricter_topic_would_stop_flagging_and_the_stored_score_is_shown(archive, tmp_path):
    draft = edit_topic(topics_copy(tmp_path, "drafts"), threshold=3.0, edited=False)
    candidate, live = load_candidate(draft, topics_copy(tmp_path))
    preview = preview_topic(archive, candidate, since=SINCE, live=live)
    [row] = preview.would_unflag
    syndicated = story_id(archive, SYNDICATED)
    assert row.story_id == syndicated and row.copies_count == 3
    assert row.stored_score == pytest.approx(flags(archive)[syndicated].score)
    assert row.score < row.threshold == 3.0 and row.evidence
    assert preview.would_flag == () and preview.still_flagged == 1


def test_a_new_topic_has_no_live_version_and_everything_it_flags_is_new(archive, tmp_path):
    folder = tmp_path / "new"
    folder.mkdir()
    draft = folder / "storms.yaml"
    draft.write_text(
        "title: Storms\nthreshold: 1\nconcepts:\n  STORM:\n    en: [storm, gusts, flooding]\n"
        "rules:\n  - {name: storm, any: [STORM], weight: 1, max_count: 5}\n",
        encoding="utf-8",
    )
    candidate, live = load_candidate(draft, topics_copy(tmp_path))
    assert live is None
    preview = preview_topic(archive, candidate, since=SINCE, live=live)
    assert preview.new_topic and preview.stored == 0
    assert preview.would_flag[0].story_id == story_id(archive, STORM)  # the best score first
    assert all(r.stored_score is None and r.live_score is None for r in preview.would_flag)


def test_the_window_and_the_limit_bound_what_is_scored_and_shown(archive, tmp_path):
    candidate, live = load_candidate(edit_topic(topics_copy(tmp_path, "drafts")), topics_copy(tmp_path))
    future = preview_topic(archive, candidate, since=datetime.now(UTC) + timedelta(hours=1), live=live)
    assert (future.stories, future.copies, future.would_flag_total) == (0, 0, 0)
    one = preview_topic(archive, candidate, since=SINCE, limit=1, live=live)
    assert one.would_flag_total == 2 and len(one.would_flag) == 1
    assert one.would_flag[0].score == max(
        r.score for r in preview_topic(archive, candidate, since=SINCE).would_flag
    )


def test_the_read_only_transaction_refuses_a_write(archive):
    with pytest.raises(DBAPIError), read_only_scope(archive) as session:
        session.execute(insert(PipelineRun).values(run_id="x", finished_at=datetime.now(UTC), summary={}))
    assert row_counts(archive)["pipeline_runs"] == 1  # the demo run's own record, nothing more
    with session_scope(archive) as session:  # the pooled connection went back writable
        session.execute(insert(PipelineRun).values(run_id="y", finished_at=datetime.now(UTC), summary={}))
    assert row_counts(archive)["pipeline_runs"] == 2


def test_a_lone_draft_file_borrows_the_live_terms_files(tmp_path):
    live_dir = topics_copy(tmp_path)
    lone = tmp_path / "elsewhere" / f"{TOPIC}.yaml"
    lone.parent.mkdir()
    lone.write_bytes((live_dir / f"{TOPIC}.yaml").read_bytes())
    candidate, live = load_candidate(lone, live_dir)
    assert live is not None and len(candidate.languages) == len(live.languages) > 20
    assert topic_hash(candidate) == topic_hash(live)  # the same content is the same version, wherever it is
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: x\nthreshold: nope\n", encoding="utf-8")
    with pytest.raises(TopicConfigError, match=r"broken.yaml:\d+: "):
        load_candidate(broken, live_dir, name=TOPIC)


def _cli(argv: list[str], capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="newsmon")
    parser.add_argument("--db")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code = args.func(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_preview_prints_what_would_change(archive, tmp_path, capsys):
    live_dir = topics_copy(tmp_path)
    draft = edit_topic(topics_copy(tmp_path, "drafts"))
    before = row_counts(archive)
    code, out, _ = _cli(
        ["--db", archive, "topics", "--topics-dir", str(live_dir), "preview", str(draft), "--since", "30d"],
        capsys,
    )
    assert code == 0 and row_counts(archive) == before
    assert "would flag 2 not flagged now" in out and "nothing was written" in out
    assert "WOULD FLAG (2)" in out and "[engineers]" in out and "Storm Ivo" in out
    code, _, err = _cli(["--db", archive, "topics", "preview", str(draft), "--since", "soon"], capsys)
    assert code == 2 and "not a duration" in err
