"""What the workflow tests share: the demo archive made by the real pipeline, and an edited topic.

The edit is made to a copy of the shipped topics folder: `child_repatriation` gains a concept `EDITED`
(two words found in two demo stories no version of the topic flags: the hostage-engineers march and the
storm warning), a rule scoring it and a place in `requires`, and a second recipient. Everything else of
the topic (its 29 terms files) is the shipped one.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import yaml
from sqlalchemy import func, select, update

from newsmon import pipeline
from newsmon.alerts.smtp import SmtpConfig
from newsmon.config.settings import Settings, load_settings
from newsmon.store.db import session_scope
from newsmon.store.models import Base, Copy, Flag, Story
from tests.conftest import REPO
from tests.smtp_server import MailServer

TOPIC = "child_repatriation"
UI = "http://news.test/newsmon"  # the News Monitor address the emails link to
RECIPIENTS = ["analysts@example.org", "desk@example.org"]
EDITED_TERMS = ["engineers", "Storm Ivo"]
ENGINEERS = "%lowmoor engineers%"  # title patterns of the two stories the edit flags
STORM = "Storm Ivo%"
SYNDICATED = "Kyrgyzstan flies 41 children%"


def topics_copy(tmp_path: Path, name: str = "topics") -> Path:
    out = tmp_path / name
    shutil.copytree(REPO / "config" / "topics", out)
    return out


def edit_topic(topics_dir: Path, *, threshold: float | None = None, edited: bool = True) -> Path:
    """Rewrite `child_repatriation.yaml` in `topics_dir` (a copy): the EDITED concept and rule, and/or a
    new threshold. Returns the file."""
    path = topics_dir / f"{TOPIC}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if edited:
        data["concepts"]["EDITED"] = {"any": EDITED_TERMS}
        data["rules"].append(
            {"name": "edited_subject", "any": ["EDITED"], "within": "sentence", "weight": 5, "max_count": 10}
        )
        data["requires"] = [*data.get("requires", []), "EDITED"]
        data["recipients"] = RECIPIENTS
    if threshold is not None:
        data["threshold"] = threshold
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def settings_for(db_url: str, feeds_file: Path, topics_dir: Path | None = None, **changes) -> Settings:
    settings = load_settings().with_(db_url=db_url, feeds_file=feeds_file, **changes)
    return settings.with_(topics_dir=topics_dir) if topics_dir else settings


def run_demo(settings: Settings, smtp: SmtpConfig | None) -> dict:
    summary = pipeline.run_once(settings, smtp=smtp, force_poll=True)
    assert summary["flag"]["new_flags"] >= 2, summary
    return summary


def demo_archive(demo_server, *, alerted: bool) -> Callable[[str], None]:
    """The recipe (see tests.conftest.Templates) of the demo archive: the demo corpus through the real
    pipeline from `demo_server`'s feeds, with the shipped topics. `alerted`: their alerts sent to an SMTP
    server (linking to UI), else waiting for one (no SMTP configured)."""
    from newsmon.cli.demo import demo_feeds_yaml

    def make(db_url: str) -> None:
        with tempfile.TemporaryDirectory(prefix="newsmon-demo-archive-") as tmp:
            feeds = Path(tmp) / "feeds.yaml"
            feeds.write_text(demo_feeds_yaml(demo_server.base_url, demo_server.feeds()), encoding="utf-8")
            if not alerted:
                run_demo(settings_for(db_url, feeds), None)
                return
            settings = settings_for(db_url, feeds, topics_copy(Path(tmp)), ui_url=UI)
            sink = MailServer().start()
            try:
                summary = run_demo(settings, SmtpConfig.from_url(sink.url))
                assert len(sink.messages) == 2  # the two stories the shipped topic flags
            finally:
                sink.stop()
            no_surge = {"found": 0, "sent": 0, "failed": 0, "pending": 0}
            assert summary["surge"] == no_surge  # the syndicated story's three copies are from March

    return make


def story_id(db_url: str, title_like: str) -> int:
    with session_scope(db_url) as s:
        found = s.scalar(
            select(Story.id).where(Story.title.ilike(title_like), Story.merged_into_id.is_(None))
        )
    assert found is not None, title_like
    return found


def age_story(db_url: str, story: int, by: timedelta) -> None:
    """Make a story older than it is (as if newsmon had first seen it `by` earlier)."""
    with session_scope(db_url) as s:
        first = s.scalar(select(Story.first_seen_at).where(Story.id == story))
        s.execute(update(Story).where(Story.id == story).values(first_seen_at=first - by))


def row_counts(db_url: str) -> dict[str, int]:
    """Rows of every newsmon table: a reader that writes nothing leaves these equal."""
    with session_scope(db_url) as s:
        return {
            t.name: s.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables
        }


def flags(db_url: str, topic: str = TOPIC) -> dict[int, Flag]:
    with session_scope(db_url) as s:
        return {f.story_id: f for f in s.scalars(select(Flag).where(Flag.topic == topic))}


def copy_count(db_url: str, story: int) -> int:
    with session_scope(db_url) as s:
        return s.scalar(select(func.count()).select_from(Copy).where(Copy.story_id == story)) or 0
