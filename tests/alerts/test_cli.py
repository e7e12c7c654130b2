"""`newsmon alerts ...` in a terminal."""

from __future__ import annotations

from newsmon.alerts.stage import deliver_pending, queue_alerts
from newsmon.cli import main
from newsmon.store.db import session_scope, upgrade
from tests.alerts.conftest import NOW, TOPIC, UI, seed_story
from tests.conftest import REPO


def test_alerts_list_shows_state_and_reason(tmp_path, mail, capsys):
    db = f"sqlite:///{tmp_path / 'n.db'}"
    upgrade(db)
    with session_scope(db) as s:
        seed_story(s, title="Sent one")
        seed_story(s, title="Refused one", topics=("refused_topic",))
        queue_alerts(s, topics={TOPIC: ["a@example.org"], "refused_topic": ["refuse@example.org"]}, now=NOW)
    deliver_pending(db, smtp=mail.config, now=NOW, ui_url=UI)
    assert main(["--db", db, "alerts", "list"]) == 0
    out = capsys.readouterr().out
    assert "sent" in out and "Sent one" in out
    assert "failed" in out and "Refused one" in out and "last error: recipients refused" in out
    assert main(["--db", db, "alerts", "list", "--status", "failed"]) == 0
    out = capsys.readouterr().out
    assert "Refused one" in out and "Sent one" not in out


def test_alerts_send_without_topics_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NEWSMON_TOPICS_DIR", str(tmp_path / "no-such-dir"))
    code = main(["--db", f"sqlite:///{tmp_path / 'n.db'}", "alerts", "send", "--smtp", "smtp://127.0.0.1:1"])
    assert code == 2
    assert "error: cannot load topics" in capsys.readouterr().out


def test_alerts_list_on_an_empty_database(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'n.db'}"
    upgrade(db)
    assert main(["--db", db, "alerts", "list"]) == 0
    assert capsys.readouterr().out.strip() == "no alerts"


def test_alerts_send_queues_and_delivers_each_flag_once(tmp_path, mail, capsys):
    db = f"sqlite:///{tmp_path / 'n.db'}"
    upgrade(db)
    with session_scope(db) as s:
        seed_story(s, title="Children flown home")
    assert main(["--db", db, "alerts", "send", "--smtp", mail.url]) == 0
    assert "queued 1, sent 1" in capsys.readouterr().out
    assert main(["--db", db, "alerts", "send", "--smtp", mail.url]) == 0
    assert "queued 0, sent 0" in capsys.readouterr().out
    assert len(mail.messages) == 1


def test_disabled_topics_neither_flag_nor_alert(tmp_path):
    from newsmon import pipeline
    from newsmon.config.settings import load_settings

    topics = tmp_path / "topics"
    topics.mkdir()
    source = (REPO / "config" / "topics" / "child_repatriation.yaml").read_text(encoding="utf-8")
    (topics / "child_repatriation.yaml").write_text(source + "\nenabled: false\n", encoding="utf-8")
    assert pipeline.load_topics(load_settings().with_(topics_dir=topics)) == []
