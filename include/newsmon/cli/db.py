"""`newsmon db`: schema migrations (they also run on every start; this is for operators)."""

from __future__ import annotations

import argparse

from newsmon.cli.common import settings_from_args


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("db", help="database schema")
    cmds = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = cmds.add_parser("upgrade", help="migrate the database to the newest schema")
    up.set_defaults(func=_upgrade)
    cur = cmds.add_parser("current", help="print the schema revision")
    cur.set_defaults(func=_current)


def _upgrade(args: argparse.Namespace) -> int:
    from newsmon.store.db import current_revision, upgrade

    settings = settings_from_args(args)
    upgrade(settings.db_url)
    print(f"schema at {current_revision(settings.db_url)}")
    return 0


def _current(args: argparse.Namespace) -> int:
    from newsmon.store.db import current_revision

    print(current_revision(settings_from_args(args).db_url) or "empty")
    return 0
