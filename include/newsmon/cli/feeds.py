"""`newsmon feeds`: validate the feed list, move it in and out of OPML, bring a disabled feed back."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the commands import what they use when they run: `newsmon --help` stays quick
    from newsmon.config.feeds import FeedConfig
    from newsmon.http.client import HttpPolicy


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("feeds", help="feed list: check, import/export OPML, enable a disabled feed")
    cmds = parser.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)

    check = cmds.add_parser("check", help="validate a feed-list YAML file; print every error as FILE:LINE")
    check.add_argument("file", type=Path, nargs="?", help="default: the configured feeds file")
    check.add_argument(
        "--reachable",
        action="store_true",
        help="also request every feed and report which answer with a feed (needs internet access)",
    )
    check.add_argument(
        "--timeout", type=float, default=20.0, help="seconds per feed with --reachable (default 20)"
    )
    check.set_defaults(func=_check)

    imp = cmds.add_parser("import", help="read feeds from an OPML file")
    imp.add_argument("opml", type=Path, help="OPML file exported by a feed reader")
    imp.add_argument(
        "--into",
        type=Path,
        metavar="FEEDS_YAML",
        help="merge into this YAML file (new URLs are appended; the file is rewritten, comments are lost); "
        "without it the YAML is printed",
    )
    imp.set_defaults(func=_import)

    exp = cmds.add_parser("export", help="print the feed list as OPML")
    exp.add_argument(
        "--from", dest="source", type=Path, metavar="FEEDS_YAML", help="default: the configured file"
    )
    exp.set_defaults(func=_export)

    enable = cmds.add_parser(
        "enable",
        help="poll a disabled feed again (it answered HTTP 410 Gone): its errors and back-off are reset",
    )
    enable.add_argument("url", help="the feed's URL as in the feed list (or the URL it moved to)")
    enable.set_defaults(func=_enable)


def _default_feeds_file(args: argparse.Namespace) -> Path:
    from newsmon.cli.common import settings_from_args

    return settings_from_args(args).feeds_file


def _print_errors(errors: list[str]) -> None:
    for line in errors:
        print(line, file=sys.stderr)


def _load_or_report(path: Path) -> list[FeedConfig] | None:
    """The feed list, or None once every problem in it is printed (as FILE:LINE, then a count)."""
    from newsmon.config.feeds import load_feeds
    from newsmon.config.yamlfile import ConfigError

    try:
        return load_feeds(path)
    except ConfigError as exc:
        _print_errors(exc.errors)
        print(f"{path}: {len(exc.errors)} error(s)", file=sys.stderr)
        return None


def _check(args: argparse.Namespace) -> int:
    path = args.file or _default_feeds_file(args)
    feeds = _load_or_report(path)
    if feeds is None:
        return 1
    print(f"{path}: {len(feeds)} feeds OK")
    return _reachable(args, feeds) if args.reachable else 0


REACHABLE_NOTE = (
    "Reachability is checked over the internet, now: without internet access (or behind a proxy that "
    "blocks it) every public feed below fails with a DNS, refused or timeout error, which says nothing "
    "about the feed itself."
)


def _reachable(args: argparse.Namespace, feeds: list[FeedConfig]) -> int:
    from dataclasses import replace

    from newsmon.cli.common import settings_from_args
    from newsmon.feeds.reachable import check_feeds
    from newsmon.http.politeness import HostLimiter
    from newsmon.pipeline import http_policy

    settings = settings_from_args(args)
    logging.getLogger("newsmon.http.client").setLevel(logging.ERROR)  # each failure is in the report below
    print(REACHABLE_NOTE)
    print(
        f"Requesting {len(feeds)} feeds ({args.timeout:g}s each at most, one host at a time)...", flush=True
    )

    def policy_for(feed: FeedConfig) -> HttpPolicy:
        policy = http_policy(settings, feed.allowed_private_pairs())
        return replace(
            policy, total_timeout=args.timeout, read_timeout=min(policy.read_timeout, args.timeout)
        )

    limiter = HostLimiter(max_per_host=1, min_delay=settings.host_delay, max_wait=600)  # this process only
    results = check_feeds(feeds, policy_for, limiter, workers=settings.http_workers)
    width = max((len(r.feed.url) for r in results), default=0)
    for r in results:
        mark = "answers" if r.ok else "FAILS  "
        moved = f" -> {r.final_url}" if r.final_url else ""
        lang = f" [{r.feed.lang}]" if r.feed.lang else ""
        print(f"{mark} {r.feed.url:<{width}}  {r.detail} ({r.elapsed:.1f}s){moved}  {r.feed.name}{lang}")
    answering = sum(r.ok for r in results)
    print(f"{answering} of {len(results)} feeds answer with a feed.")
    if answering == 0 and results:
        print(
            "None answered: is this machine offline? That is what every feed failing at once means.",
            file=sys.stderr,
        )
    return 0 if answering == len(results) else 1


def _import(args: argparse.Namespace) -> int:
    from newsmon.config.feeds import dump_feeds_yaml, import_opml, load_feeds
    from newsmon.config.yamlfile import ConfigError

    try:
        imported = import_opml(args.opml)
        if args.into is None:
            sys.stdout.write(dump_feeds_yaml(imported))
            return 0
        existing = load_feeds(args.into) if args.into.exists() else []
    except ConfigError as exc:
        _print_errors(exc.errors)
        return 1
    known = {f.url for f in existing}
    added = [f for f in imported if f.url not in known]
    tmp = args.into.with_name(args.into.name + ".tmp")
    tmp.write_text(dump_feeds_yaml([*existing, *added]), encoding="utf-8")
    tmp.replace(args.into)
    print(f"{args.into}: {len(added)} feeds added, {len(imported) - len(added)} already present")
    return 0


def _export(args: argparse.Namespace) -> int:
    from newsmon.config.feeds import export_opml

    feeds = _load_or_report(args.source or _default_feeds_file(args))
    if feeds is None:
        return 1
    sys.stdout.write(export_opml(feeds))
    return 0


def _enable(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from newsmon.cli.common import settings_from_args
    from newsmon.store import feeds as feeds_store
    from newsmon.store.db import session_scope, upgrade
    from newsmon.store.models import Feed

    settings = settings_from_args(args)
    upgrade(settings.db_url)
    with session_scope(settings.db_url) as session:
        enabled = feeds_store.enable_feed(session, args.url.strip(), datetime.now(UTC))
        disabled = (
            []
            if enabled
            else list(session.scalars(select(Feed.url).where(Feed.disabled_reason.is_not(None))))
        )
    if enabled is None:
        print(f"no feed with URL {args.url}", file=sys.stderr)
        if disabled:
            print("disabled feeds:", *disabled, sep="\n  ", file=sys.stderr)
        return 1
    if enabled.was:
        print(
            f"{enabled.url} ({enabled.name}) enabled; it was disabled: {enabled.was}. Polled in the next run."
        )
    else:
        print(f"{enabled.url} ({enabled.name}) was not disabled; its errors and back-off are reset.")
    return 0
