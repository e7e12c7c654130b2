from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

import pytest

from newsmon.cli import feeds as feeds_cli
from newsmon.config.feeds import (
    ConfigError,
    FeedConfig,
    export_opml,
    format_interval,
    import_opml,
    import_opml_text,
    load_feeds,
    parse_interval,
)

GOOD = """\
# comment
feeds:
  - url: https://news.example/rss
    name: News Example
    lang: en
    tags: [world, europe]
    interval: 30m
  - url: http://127.0.0.1:8765/demo.xml
    name: Demo
    allow_private: true
  - url: https://ru.example/feed
    name: "Вести"
    lang: ru
    interval: 90
"""


def write(tmp_path: Path, text: str, name: str = "feeds.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_valid_file(tmp_path: Path) -> None:
    feeds = load_feeds(write(tmp_path, GOOD))
    assert feeds[0] == FeedConfig(
        url="https://news.example/rss",
        name="News Example",
        lang="en",
        tags=("world", "europe"),
        interval=timedelta(minutes=30),
    )
    assert feeds[1].allow_private and feeds[1].allowed_private_pairs() == {"127.0.0.1:8765"}
    assert feeds[0].allowed_private_pairs() == frozenset()
    assert feeds[2].interval == timedelta(minutes=90) and feeds[2].name == "Вести"


def test_every_error_reported_with_file_and_line(tmp_path: Path) -> None:
    text = """\
feeds:
  - url: ftp://files.example/feed
    name: Wrong scheme
  - url: https://ok.example/a
    name: Fine
  - url: https://ok.example/b
    name: Bad interval
    interval: soon
  - url: https://ok.example/a
    name: Duplicate
  - url: https://ok.example/c
    nmae: typo
  - just a string
  - url: https://ok.example/d
    name: Bad lang
    lang: "english please"
"""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_feeds(path)
    errors = err.value.errors
    assert len(errors) == 6
    assert errors[0].startswith(f"{path}:2: url must be an http(s) URL")
    assert errors[1].startswith(f"{path}:8: interval must be like")
    assert errors[2].startswith(f"{path}:9: duplicate url https://ok.example/a (first at line 4)")
    assert errors[3].startswith(f"{path}:11: unknown key(s): nmae")
    assert errors[4].startswith(f"{path}:13: each feed must be a mapping")
    assert errors[5].startswith(f"{path}:16: lang must be")


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds:\n  - url: https://a.example/\n    name: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_feeds(path)
    assert err.value.errors[0].startswith(f"{path}:") and "YAML syntax error" in str(err.value)
    assert ":1:" not in err.value.errors[0]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty file"),
        ("- a\n- b\n", "mapping"),
        ("other: 1\n", "missing 'feeds:'"),
        ("feeds: 3\n", "must be a list"),
    ],
)
def test_wrong_shapes(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        load_feeds(write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_feeds(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("1h30m", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        (45, timedelta(minutes=45)),
    ],
)
def test_intervals(raw, expected) -> None:
    assert parse_interval(raw) == expected
    assert parse_interval(format_interval(expected)) == expected


@pytest.mark.parametrize("raw", ["", "10", "5x", True, "30s", "8d", -5])
def test_bad_intervals(raw) -> None:
    with pytest.raises(ValueError, match="interval"):
        parse_interval(raw)


def test_opml_round_trip(tmp_path: Path) -> None:
    feeds = [f for f in load_feeds(write(tmp_path, GOOD)) if not f.allow_private]
    text = export_opml(feeds)
    back = import_opml_text(text)
    assert back == feeds


def test_opml_never_carries_allow_private(tmp_path: Path) -> None:
    feeds = load_feeds(write(tmp_path, GOOD))
    back = import_opml_text(export_opml(feeds))
    assert not any(f.allow_private for f in back) and len(back) == 3


def test_opml_folders_become_tags_and_names_are_escaped(tmp_path: Path) -> None:
    opml = """<?xml version="1.0"?>
<opml version="1.0"><head><title>reader export</title></head><body>
 <outline text="Science">
  <outline text="Space &amp; Sky" type="rss" xmlUrl="https://sky.example/rss" category="astronomy"/>
  <outline text="Deep">
    <outline title="Sea" text="ignored" xmlUrl="https://sea.example/atom"/>
  </outline>
 </outline>
 <outline text="Loose" xmlUrl="https://loose.example/feed" language="fr"/>
 <outline text="Loose again" xmlUrl="https://loose.example/feed"/>
</body></opml>"""
    feeds = import_opml(write(tmp_path, opml, "in.opml"))
    assert [(f.name, f.tags, f.lang) for f in feeds] == [
        ("Space & Sky", ("Science", "astronomy"), None),
        ("Sea", ("Science", "Deep"), None),
        ("Loose", (), "fr"),
    ]
    assert 'text="Space &amp; Sky"' in export_opml(feeds)


def test_opml_errors() -> None:
    with pytest.raises(ConfigError, match="not a readable OPML"):
        import_opml_text("<opml><body><outline")
    with pytest.raises(ConfigError, match="not an OPML"):
        import_opml_text("<rss/>")
    with pytest.raises(ConfigError, match="url must be"):
        import_opml_text('<opml><body><outline text="x" xmlUrl="javascript:alert(1)"/></body></opml>')
    bomb = '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body>&a;</body></opml>'
    with pytest.raises(ConfigError):
        import_opml_text(bomb)


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    feeds_cli.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    return args.func(args)


def test_cli_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("feeds", "check", str(write(tmp_path, GOOD))) == 0
    assert "3 feeds OK" in capsys.readouterr().out
    bad = write(tmp_path, "feeds:\n  - url: nope\n    name: x\n", "bad.yaml")
    assert run_cli("feeds", "check", str(bad)) == 1
    assert f"{bad}:2: url must be" in capsys.readouterr().err


def test_cli_import_into_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = write(tmp_path, GOOD)
    opml = write(
        tmp_path,
        export_opml(
            [
                FeedConfig(url="https://news.example/rss", name="dup"),
                FeedConfig(
                    url="https://new.example/feed", name="New One", tags=("x",), interval=timedelta(hours=2)
                ),
            ]
        ),
        "in.opml",
    )
    assert run_cli("feeds", "import", str(opml), "--into", str(target)) == 0
    assert "1 feeds added, 1 already present" in capsys.readouterr().out
    merged = load_feeds(target)
    assert [f.url for f in merged][-1] == "https://new.example/feed" and len(merged) == 4
    assert merged[-1].interval == timedelta(hours=2) and merged[1].allow_private
    assert run_cli("feeds", "export", "--from", str(target)) == 0
    assert import_opml_text(capsys.readouterr().out)[-1].name == "New One"
    assert run_cli("feeds", "import", str(opml)) == 0
    assert "feeds:" in capsys.readouterr().out
