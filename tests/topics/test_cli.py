"""`newsmon topics` sub-commands, driven through argparse exactly as the `newsmon` command does."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from newsmon.cli import topics as cli


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="newsmon")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code = args.func(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list(capsys: pytest.CaptureFixture[str], topics_dir: Path) -> None:
    code, out, _ = run(["topics", "--topics-dir", str(topics_dir), "list"], capsys)
    assert code == 0 and "child_repatriation" in out and "dock_strikes" in out and "threshold" in out


def test_check_ok_and_errors(capsys: pytest.CaptureFixture[str], topics_dir: Path, tmp_path: Path) -> None:
    code, out, _ = run(["topics", "check", str(topics_dir)], capsys)
    assert code == 0 and "ok" in out
    (tmp_path / "broken.yaml").write_text("title: x\nthreshold: nope\nconcepts: {}\nrules: []\n")
    code, out, _ = run(["topics", "check", str(tmp_path)], capsys)
    assert code == 1 and f"{tmp_path / 'broken.yaml'}:2:" in out


def test_env_var_selects_directory(capsys: pytest.CaptureFixture[str], topics_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv(cli.ENV_DIR, str(topics_dir))
    assert cli.default_topics_dir() == topics_dir
    code, out, _ = run(["topics", "list"], capsys)
    assert code == 0 and "child_repatriation" in out


def test_explain_text_marks_terms(capsys: pytest.CaptureFixture[str], topics_dir: Path) -> None:
    text = "Germany repatriated four children from the Roj camp in Syria. Their mothers had joined ISIS."
    code, out, _ = run(
        ["topics", "--topics-dir", str(topics_dir), "explain", text, "--topic", "child_repatriation"], capsys
    )
    assert code == 0
    assert "FLAGGED" in out and "child_return" in out
    assert "[repatriated]" in out and "[children]" in out and "[Roj camp]" in out  # the longest term
    assert "dock_strikes" not in out


def test_explain_file_and_json(capsys: pytest.CaptureFixture[str], topics_dir: Path, tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("Die Hafenarbeiter streiken im Hamburger Hafen.", encoding="utf-8")
    code, out, _ = run(["topics", "--topics-dir", str(topics_dir), "explain", str(f), "--json"], capsys)
    data = {d["topic"]: d for d in json.loads(out)}
    assert code == 0 and data["child_repatriation"]["flagged"] is False
    assert data["dock_strikes"]["lang"] == "de"
    assert data["dock_strikes"]["evidence"][0]["terms"]


def test_explain_url_fetches_and_extracts_the_page(
    capsys: pytest.CaptureFixture[str], topics_dir: Path, monkeypatch, demo_server
) -> None:
    from newsmon.demo.corpus import load_expected

    path = next(
        p for p, a in load_expected()["articles"].items() if a["original"] and a["kind"] == "positive"
    )
    url = demo_server.base_url + path
    # private addresses are refused unless named exactly
    code, _, err = run(["topics", "--topics-dir", str(topics_dir), "explain", url], capsys)
    assert code == 1 and "ssrf_blocked" in err
    monkeypatch.setenv("NEWSMON_ALLOW_PRIVATE", demo_server.base_url.removeprefix("http://"))
    code, out, _ = run(["topics", "--topics-dir", str(topics_dir), "explain", url], capsys)
    assert code == 0 and "[" in out


def test_evaluate_and_train(capsys: pytest.CaptureFixture[str], topics_dir: Path, tmp_path: Path) -> None:
    labels = tmp_path / "l.jsonl"
    rows = [
        {
            "id": "1",
            "label": 1,
            "lang": "en",
            "kind": "positive",
            "text": "France repatriated ten children from the al-Hol camp in Syria; "
            "their mothers joined ISIS.",
        },
        {
            "id": "2",
            "label": 0,
            "lang": "en",
            "kind": "covid",
            "text": "Stranded tourists were repatriated during the coronavirus pandemic.",
        },
    ]
    labels.write_text("\n".join(json.dumps(r) for r in rows))
    code, out, _ = run(
        [
            "topics",
            "--topics-dir",
            str(topics_dir),
            "evaluate",
            "--labels",
            str(labels),
            "--topic",
            "child_repatriation",
        ],
        capsys,
    )
    assert code == 0 and "F1 1.000" in out and "suggested threshold" in out
    model_file = tmp_path / "m.json"
    code, out, _ = run(
        [
            "topics",
            "--topics-dir",
            str(topics_dir),
            "train",
            "--labels",
            str(labels),
            "--topic",
            "child_repatriation",
            "--out",
            str(model_file),
        ],
        capsys,
    )
    assert code == 0 and "not enabled" in out and model_file.is_file()
    code, _, err = run(
        ["topics", "--topics-dir", str(topics_dir), "evaluate", "--labels", str(tmp_path / "missing.jsonl")],
        capsys,
    )
    assert code == 1 and "error" in err
