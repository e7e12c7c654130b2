"""`newsmon tokens`: the secret tokens of the per-topic Atom feeds (create, rotate, revoke, list).

The token is printed once, inside the feed's URL, and never stored or logged: the database keeps only its
SHA-256. Rotating replaces it (the old URL stops working at once); revoking removes it.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from urllib.parse import urlencode

from newsmon.cli.common import settings_from_args
from newsmon.config.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("tokens", help="secret tokens of the per-topic Atom feeds")
    cmds = parser.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    for name, text in (
        ("create", "make the topic's feed token and print the feed URL (fails if it has one: rotate)"),
        ("rotate", "replace the topic's feed token; the old URL stops working at once"),
        ("revoke", "remove the topic's feed token; its feed answers 403"),
    ):
        cmd = cmds.add_parser(name, help=text)
        cmd.add_argument("topic")
        cmd.set_defaults(func=_run, action=name)
    ls = cmds.add_parser("list", help="the topics that have a feed token (never the tokens)")
    ls.set_defaults(func=_list)


def feed_url(settings: Settings, topic: str, token: str) -> str:
    return f"{settings.ui_url.rstrip('/')}/feeds/{topic}.atom?{urlencode({'token': token})}"


def _topic_names(settings: Settings) -> set[str]:
    from newsmon.pipeline import load_topics

    return {t.name for t in load_topics(settings)}


def _run(args: argparse.Namespace) -> int:
    from newsmon.outbound import tokens
    from newsmon.store.db import session_scope, upgrade
    from newsmon.store.outbound import token_hash_of

    settings = settings_from_args(args)
    upgrade(settings.db_url)
    if args.action != "revoke" and args.topic not in _topic_names(settings):
        print(f"error: no enabled topic named {args.topic!r} in {settings.topics_dir}")
        return 2
    with session_scope(settings.db_url) as session:
        if args.action == "revoke":
            if not tokens.revoke(session, args.topic):
                print(f"{args.topic}: had no feed token")
                return 1
            print(f"{args.topic}: feed token revoked; the feed answers 403 until a new one is created")
            return 0
        if args.action == "create" and token_hash_of(session, args.topic) is not None:
            print(
                f"error: {args.topic} has a feed token already; "
                f"`newsmon tokens rotate {args.topic}` replaces it"
            )
            return 1
        token = tokens.issue(session, args.topic, datetime.now(UTC))
    print(f"{args.topic}: feed URL (shown once; keep it secret, it is the only way to read the feed):")
    print(f"  {feed_url(settings, args.topic, token)}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from newsmon.store.db import session_scope, upgrade
    from newsmon.store.outbound import tokens

    settings = settings_from_args(args)
    upgrade(settings.db_url)
    with session_scope(settings.db_url) as session:
        found = tokens(session)
    if not found:
        print("no feed tokens")
    for topic, created in found:
        print(
            f"{topic}: token made {created:%Y-%m-%d %H:%M} UTC; "
            f"feed {settings.ui_url.rstrip('/')}/feeds/{topic}.atom"
        )
    return 0
