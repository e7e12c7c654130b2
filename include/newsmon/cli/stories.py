"""`newsmon stories`: what the analysts see on the News Monitor page, in the terminal."""

from __future__ import annotations

import argparse

from newsmon.cli.common import settings_from_args


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("stories", help="flagged stories and their copies")
    cmds = parser.add_subparsers(dest="stories_command", metavar="ACTION", required=True)
    ls = cmds.add_parser("list", help="flagged stories, newest first, with every copy")
    ls.add_argument("--topic", help="only this topic")
    ls.add_argument("--all", action="store_true", help="every story, flagged or not")
    ls.add_argument("--limit", type=int, default=50)
    ls.set_defaults(func=list_stories)


def list_stories(args: argparse.Namespace) -> int:
    from newsmon.store import queries
    from newsmon.store.db import session_scope

    settings = settings_from_args(args)
    flt = queries.StoryFilter(
        scope="all" if args.all else "flagged", topic=args.topic, per_page=max(1, min(args.limit, 200))
    )
    with session_scope(settings.db_url) as session:
        page = queries.list_flagged(session, flt)
        details = {row.story_id: queries.story_detail(session, row.story_id) for row in page.rows}
    if not page.rows:
        print("no stories")
        return 0
    for row in page.rows:
        flag = f"{row.topic} {row.score:.2f}" if row.topic else "not flagged"
        print(f"#{row.story_id:<5} [{flag}] {row.title}  ({row.copies_count} copies, {row.site or '?'})")
        detail = details[row.story_id]
        for copy in detail.copies if detail else ():
            mark = "*" if copy.is_original else " "
            print(f"   {mark} {copy.site or '?':<24} {copy.title[:70]}  {copy.url}")
    return 0
