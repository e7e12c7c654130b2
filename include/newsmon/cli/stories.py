"""`newsmon stories`: what the analysts would see, in the terminal."""

from __future__ import annotations

import argparse

from newsmon.cli.common import settings_from_args


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("stories", help="flagged stories and their copies")
    cmds = parser.add_subparsers(dest="stories_command", metavar="ACTION", required=True)
    ls = cmds.add_parser("list", help="flagged stories, newest first")
    ls.add_argument("--topic", help="only this topic")
    ls.add_argument("--all", action="store_true", help="every story, flagged or not")
    ls.add_argument("--limit", type=int, default=50)
    ls.set_defaults(func=_list)


def _list(args: argparse.Namespace) -> int:
    from newsmon.store.db import session_scope
    from newsmon.store.report import story_rows

    settings = settings_from_args(args)
    with session_scope(settings.db_url) as session:
        rows = story_rows(session, topic=args.topic, flagged_only=not args.all, limit=args.limit)
    if not rows:
        print("no stories")
        return 0
    for row in rows:
        flag = f"{row.topic} {row.score:.2f}" if row.topic else "-"
        print(f"#{row.story_id:<5} [{flag}] {row.title}  ({row.copies} copies, {row.site or '?'})")
        for site, title, url, is_original in row.copy_list:
            mark = "*" if is_original else " "
            print(f"   {mark} {site or '?':<24} {title[:70]}  {url}")
    return 0
