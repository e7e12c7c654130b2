"""The `newsmon` command.

Each command group lives in its own module with a `register(subparsers)` function that adds its
sub-commands; every sub-command sets `func(args) -> int`. Groups are imported lazily by name so
`newsmon --help` stays fast and a broken optional group cannot take the whole CLI down silently.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from newsmon import __version__

GROUPS: tuple[str, ...] = (
    "db",
    "run",
    "feeds",
    "discovery",
    "stories",
    "topics",
    "feedback",
    "alerts",
    "demo",
    "health",
    "tokens",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsmon",
        description="News monitoring: poll feeds, extract articles, fold copies into stories, flag topics, "
        "send alerts. The same stages run as tasks of the Airflow DAG `news_monitor`.",
    )
    parser.add_argument("--version", action="version", version=f"newsmon {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    parser.add_argument(
        "--db", metavar="URL", help="database URL (default: $NEWSMON_DB_URL or the SQLite file)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in GROUPS:
        module = importlib.import_module(f"newsmon.cli.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # Alembic narrates every plugin and revision at INFO; an operator needs only warnings from it.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
