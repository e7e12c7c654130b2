"""`newsmon discovery`: check the providers file, see what each provider searches for, run the searches."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from newsmon.cli.common import settings_from_args


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("discovery", help="news searches that find the topics' articles beyond the feeds")
    cmds = parser.add_subparsers(dest="discovery_command", metavar="ACTION", required=True)

    check = cmds.add_parser("check", help="validate the discovery file; print every error as FILE:LINE")
    check.add_argument("file", type=Path, nargs="?", help="default: the configured discovery file")
    check.set_defaults(func=_check)

    queries = cmds.add_parser("queries", help="print the searches each provider runs for the topics")
    queries.add_argument("--provider", help="only this provider")
    queries.add_argument("--urls", action="store_true", help="print the request URL of each search")
    queries.set_defaults(func=_queries)

    run = cmds.add_parser("run", help="run the due providers' searches once and store what they find")
    run.add_argument("--force", action="store_true", help="run every enabled provider, due or not")
    run.set_defaults(func=_run)


def _check(args: argparse.Namespace) -> int:
    from newsmon.config.discovery import load_discovery
    from newsmon.config.yamlfile import ConfigError

    path = args.file or settings_from_args(args).discovery_file
    if path is None or not Path(path).exists():
        print(f"{path}: no discovery file (discovery is off)", file=sys.stderr)
        return 1
    try:
        providers = load_discovery(path)
    except ConfigError as exc:
        for line in exc.errors:
            print(line, file=sys.stderr)
        print(f"{path}: {len(exc.errors)} error(s)", file=sys.stderr)
        return 1
    enabled = sum(p.enabled for p in providers)
    print(f"{path}: {len(providers)} providers OK ({enabled} enabled)")
    return 0


def _queries(args: argparse.Namespace) -> int:
    from newsmon import pipeline
    from newsmon.discovery.providers import provider_for
    from newsmon.discovery.queries import plan_queries

    settings = settings_from_args(args)
    topics = pipeline.load_topics(settings)
    configs = [c for c in pipeline.discovery_providers(settings) if args.provider in (None, c.name)]
    if not configs:
        print("no discovery providers configured" + (f" named {args.provider}" if args.provider else ""))
        return 1
    for config in configs:
        provider = provider_for(config)
        planned, skipped = plan_queries(config, topics, provider.supports)
        state = "enabled" if config.enabled else "disabled"
        print(f"{config.name} ({config.kind}, {state}, {config.terms} terms): {len(planned)} searches")
        for q in planned:
            print(f"  {q.topic} [{q.lang}] {q.origin}: {q.text}")
            if args.urls:
                print(f"      {provider.request_url(q.text, q.lang)}")
        for gap in skipped:
            print(f"  {gap.topic} [{gap.lang}] no search: {gap.reason}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from newsmon import pipeline

    settings = settings_from_args(args)
    pipeline.prepare(settings)
    counts = pipeline.discover(settings, force=args.force)
    print(json.dumps(counts, indent=2))
    return 0
