"""`newsmon feedback add|list`: record and read analysts' verdicts from the terminal.

The same write as the News Monitor page (`queries.set_feedback`): one verdict per story, topic and
analyst, changed in place when given again. A verdict is about a flag, so a story that was never
flagged for the topic is refused with a clear message rather than stored as an orphan.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import UTC, datetime

from newsmon.cli.common import settings_from_args


def _default_user() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "unknown"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("feedback", help="analysts' verdicts on flagged stories")
    cmds = parser.add_subparsers(dest="feedback_command", metavar="ACTION", required=True)

    add = cmds.add_parser("add", help="record that a flagged story is (not) relevant to a topic")
    add.add_argument("story_id", type=int, metavar="STORY_ID")
    add.add_argument("--topic", required=True)
    verdict = add.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--relevant", dest="relevant", action="store_true")
    verdict.add_argument("--not-relevant", dest="relevant", action="store_false")
    add.add_argument("--note", default=None)
    add.add_argument("--user", default=None, help="who says so (default: $USER)")
    add.set_defaults(func=cmd_add)

    ls = cmds.add_parser("list", help="verdicts, most recent first")
    ls.add_argument("--topic", default=None)
    ls.add_argument("--limit", type=int, default=100)
    ls.set_defaults(func=cmd_list)


def cmd_add(args: argparse.Namespace) -> int:
    from newsmon.store import queries
    from newsmon.store.db import session_scope

    user = (args.user or _default_user()).strip()
    if not user:
        print("error: --user must not be empty", file=sys.stderr)
        return 2
    settings = settings_from_args(args)
    with session_scope(settings.db_url) as session:
        story_id = queries.resolve_story_id(session, args.story_id)
        if story_id is None:
            print(f"error: no story {args.story_id}", file=sys.stderr)
            return 1
        try:
            saved = queries.set_feedback(
                session, story_id, args.topic, user, args.relevant, args.note, datetime.now(UTC)
            )
        except queries.UnknownFlag as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    moved = f" (story {args.story_id} was merged into {story_id})" if story_id != args.story_id else ""
    verdict = "relevant" if saved.relevant else "not relevant"
    print(f"story {saved.story_id} / {saved.topic}: {verdict} by {saved.user}{moved}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from newsmon.store.db import session_scope
    from newsmon.store.feedback import list_feedback

    settings = settings_from_args(args)
    with session_scope(settings.db_url) as session:
        records = list_feedback(session, topic=args.topic, limit=args.limit)
    if not records:
        print("no feedback")
        return 0
    for r in records:
        verdict = "relevant    " if r.relevant else "not relevant"
        note = f"  — {r.note}" if r.note else ""
        print(
            f"#{r.story_id:<6} {r.topic:<22} {verdict} {r.user:<16} "
            f"{r.updated_at:%Y-%m-%d %H:%M}  {r.story_title[:60]}{note}"
        )
    return 0
