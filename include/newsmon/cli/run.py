"""`newsmon run`: the whole pipeline once, in this process — the same stages the DAG runs as tasks."""

from __future__ import annotations

import argparse
import json
import os

from newsmon.cli.common import settings_from_args


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("run", help="run every stage once (poll, fetch, fold, flag, alert)")
    parser.add_argument("--force", action="store_true", help="poll every feed now, even if not due")
    parser.add_argument("--smtp", metavar="URL", help="SMTP server for alerts (default $NEWSMON_SMTP_URL)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from newsmon import pipeline

    smtp = None
    url = args.smtp or os.environ.get("NEWSMON_SMTP_URL")
    if url:
        from newsmon.alerts.smtp import SmtpConfig

        smtp = SmtpConfig.from_url(url)
    summary = pipeline.run_once(settings_from_args(args), smtp=smtp, force_poll=args.force)
    print(json.dumps(summary, indent=2))
    return 0
