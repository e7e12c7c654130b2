"""The `newsmon` console command is installed and describes itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from newsmon.cli import main


def test_help_lists_every_command_group(capsys):
    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    for group in ("run", "feeds", "stories", "topics", "alerts", "demo", "db"):
        assert group in out


def test_console_script_runs():
    exe = Path(sys.executable).with_name("newsmon")
    assert exe.exists(), "the newsmon console script is not installed"
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True, timeout=60)
    assert "usage: newsmon" in out.stdout


def test_db_upgrade_command(tmp_path, capsys):
    assert main(["--db", f"sqlite:///{tmp_path / 'x.db'}", "db", "upgrade"]) == 0
    assert "schema at" in capsys.readouterr().out
