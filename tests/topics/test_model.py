"""Topic files: the shipped ones load; broken ones fail with FILE:LINE messages."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from newsmon.topics.model import TopicConfigError, check_topics, load_topic, load_topics, parse_topic

GOOD = textwrap.dedent(
    """\
    title: Port strikes
    threshold: 1.0
    recipients: [a@example.org]
    languages: [en, de]
    concepts:
      STRIKE:
        en: [strike, walkout]
        de: [Streik]
      PORT:
        en: [port, dock]
    rules:
      - name: strike_at_port
        all: [STRIKE, PORT]
        within: sentence
        weight: 1.0
    """
)


def write(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_topics_load(topics_dir: Path) -> None:
    topics = {t.name: t for t in load_topics(topics_dir)}
    assert {"child_repatriation", "dock_strikes"} <= set(topics)
    child = topics["child_repatriation"]
    assert set(child.languages) >= {"en", "ru", "de", "fr", "ar"}
    assert child.recipients and child.threshold > 0
    assert any(r.negative for r in child.rules)
    assert check_topics(topics_dir) == []


def test_a_directory_read_again_sees_every_edit(tmp_path: Path) -> None:
    """One process reads the topics once per stage; what it reads must follow the files, not its memory."""
    write(tmp_path, GOOD)
    first = load_topics(tmp_path)
    assert [t.threshold for t in first] == [1.0]
    assert load_topics(tmp_path) == first  # nothing changed: the same topics

    write(tmp_path, GOOD.replace("threshold: 1.0", "threshold: 2.5"))  # an edit of the same file
    assert [t.threshold for t in load_topics(tmp_path)] == [2.5]

    write(tmp_path, GOOD, name="second.yaml")  # a file added
    assert [t.name for t in load_topics(tmp_path)] == ["second", "t"]

    terms = tmp_path / "second"
    terms.mkdir()
    write(terms, "STRIKE: [staking]\n", name="nl.yaml")  # a terms file added beside it
    assert "nl" in next(t for t in load_topics(tmp_path) if t.name == "second").languages

    (tmp_path / "t.yaml").unlink()  # a file removed
    assert [t.name for t in load_topics(tmp_path)] == ["second"]

    write(tmp_path, "threshold: [\n", name="broken.yaml")  # a broken file still raises, every time
    for _ in range(2):
        with pytest.raises(TopicConfigError, match=r"broken\.yaml"):
            load_topics(tmp_path)


def test_good_file_parses(tmp_path: Path) -> None:
    t = load_topic(write(tmp_path, GOOD))
    assert t.name == "t"
    assert t.rules[0].all == ("STRIKE", "PORT")
    assert t.recipients == ("a@example.org",)


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        ("threshold: 1.0\n", "threshold: high\n", 2, "threshold"),
        ("    weight: 1.0\n", "    weight: -1\n", 15, "weight"),
        ("    all: [STRIKE, PORT]\n", "    all: [STRIKE, HARBOUR]\n", 13, "unknown concept 'HARBOUR'"),
        ("languages: [en, de]\n", "languages: [en, xx]\n", 4, "'xx' is not known"),
        ("    de: [Streik]\n", "    fr: [grève]\n", 8, "not listed in `languages`"),
        ("    en: [port, dock]\n", "    en: [port, '*']\n", 10, "no letters to match"),
        ("recipients: [a@example.org]\n", "recipients: [not-an-address]\n", 3, "recipients"),
        ("    within: sentence\n", "    within: paragraph\n", 14, "within"),
        ("title: Port strikes\n", "title: Port strikes\ntitel: typo\n", 2, "titel"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, old: str, new: str, line: int, fragment: str) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(TopicConfigError) as err:
        load_topic(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert fragment in message


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  PORT:\n", "  PORT: [\n"))
    with pytest.raises(TopicConfigError, match=rf"^{path}:\d+: YAML syntax error"):
        load_topic(path)


def test_duplicate_key_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "threshold: 2.0\n")
    with pytest.raises(TopicConfigError, match=rf"^{path}:16: duplicate key 'threshold'"):
        load_topic(path)


def test_missing_required_key_reports_top(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("threshold: 1.0\n", ""))
    with pytest.raises(TopicConfigError, match=r":1: top level: 'threshold' is a required property"):
        load_topic(path)


def test_bad_file_name_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(TopicConfigError, match="lower-case"):
        load_topic(write(tmp_path, GOOD, "Bad Name.yaml"))
    with pytest.raises(TopicConfigError, match=":1: topic file is empty"):
        load_topic(write(tmp_path, "", "empty.yaml"))


def test_check_topics_lists_every_error(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "good.yaml")
    write(tmp_path, GOOD.replace("threshold: 1.0", "threshold: -1"), "bad1.yaml")
    write(tmp_path, "title: [", "bad2.yaml")
    errors = check_topics(tmp_path)
    assert len(errors) == 2
    assert any("bad1.yaml:2:" in e for e in errors) and any("bad2.yaml:" in e for e in errors)
    with pytest.raises(TopicConfigError):
        load_topics(tmp_path)


def test_parse_topic_from_text() -> None:
    t = parse_topic(GOOD, name="ports")
    assert t.name == "ports" and t.threshold == 1.0
