"""`newsmon alerts`: see the alert queue, send what is pending, send the digest — outside Airflow.

The SMTP server comes from `--smtp URL` or $NEWSMON_SMTP_URL (`smtp://user:pass@host:port?starttls=1&from=...`);
recipients come from the topic files, as in the DAG.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from newsmon.cli.common import settings_from_args
from newsmon.config.settings import Settings

if TYPE_CHECKING:  # the command imports it when it runs: `newsmon --help` stays quick
    from newsmon.alerts.smtp import SmtpConfig

SMTP_HELP = (
    "SMTP server, e.g. smtp://user:pass@host:587?starttls=1&from=alerts@example.org "
    "(default $NEWSMON_SMTP_URL)"
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("alerts", help="alert queue, delivery and digest")
    cmds = parser.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)

    ls = cmds.add_parser("list", help="alerts, newest first, with their delivery state")
    ls.add_argument("--status", choices=("pending", "sending", "sent", "failed", "superseded", "summarised"))
    ls.add_argument("--limit", type=int, default=50)
    ls.set_defaults(func=_list)

    send = cmds.add_parser("send", help="queue alerts for new flags and send every due one")
    send.add_argument("--smtp", metavar="URL", help=SMTP_HELP)
    send.set_defaults(func=_send)

    digest = cmds.add_parser("digest", help="send this period's digest to every topic recipient (once)")
    digest.add_argument("--smtp", metavar="URL", help=SMTP_HELP)
    digest.add_argument("--period", choices=("hourly", "daily", "weekly"), default="daily")
    digest.set_defaults(func=_digest)


def _smtp(args: argparse.Namespace) -> SmtpConfig | None:
    url = args.smtp or os.environ.get("NEWSMON_SMTP_URL")
    if not url:
        return None
    from newsmon.alerts.smtp import SmtpConfig

    return SmtpConfig.from_url(url)


def topic_recipients(settings: Settings) -> dict[str, tuple[str, ...]]:
    """topic name -> recipients of the enabled topics. Raises RuntimeError with a readable reason."""
    from newsmon.pipeline import load_topics

    try:
        topics = load_topics(settings)
    except Exception as exc:  # a broken topic file: say which, do not guess recipients
        raise RuntimeError(f"cannot load topics from {settings.topics_dir}: {exc}") from exc
    return {t.name: tuple(t.recipients) for t in topics}


def _list(args: argparse.Namespace) -> int:
    from newsmon.store.alerts import list_alerts
    from newsmon.store.db import session_scope

    settings = settings_from_args(args)
    with session_scope(settings.db_url) as session:
        rows = list_alerts(session, status=args.status, limit=args.limit)
    if not rows:
        print("no alerts")
        return 0
    for r in rows:
        when = r.sent_at or r.created_at
        stamp = when.strftime("%Y-%m-%d %H:%M") if when else "?"
        print(f"#{r.id:<5} {r.status:<10} {stamp}  story {r.story_id} [{r.topic}] {r.story_title[:70]}")
        detail = f"to {', '.join(r.recipients) or '(nobody)'}; attempts {r.attempts}"
        if r.status == "pending" and r.next_attempt_at:
            detail += f"; next try {r.next_attempt_at:%Y-%m-%d %H:%M}"
        print(f"       {detail}")
        if r.last_error:
            print(f"       last error: {r.last_error}")
    return 0


def _send(args: argparse.Namespace) -> int:
    from newsmon import pipeline
    from newsmon.store.db import upgrade

    settings = settings_from_args(args)
    try:
        topic_recipients(settings)  # a broken topic file is reported here, plainly
    except RuntimeError as exc:
        print(f"error: {exc}")
        return 2
    smtp = _smtp(args)
    upgrade(settings.db_url)
    counts = pipeline.send_alerts(settings, smtp)
    print(", ".join(f"{name} {value}" for name, value in counts.items()))
    if smtp is None:
        print("no SMTP server: pass --smtp URL or set NEWSMON_SMTP_URL; the alerts stay pending")
        return 1
    return 0


def _digest(args: argparse.Namespace) -> int:
    from newsmon.alerts.digest import send_digest
    from newsmon.store.db import upgrade

    settings = settings_from_args(args)
    try:
        recipients = topic_recipients(settings)
    except RuntimeError as exc:
        print(f"error: {exc}")
        return 2
    smtp = _smtp(args)
    upgrade(settings.db_url)
    report = send_digest(
        settings.db_url,
        smtp=smtp,
        now=datetime.now(UTC),
        period=args.period,
        topics=recipients,
        ui_url=settings.ui_url,
    )
    print(
        f"digest {report.period}: sent {report.sent}, already sent {report.already_sent}, "
        f"nothing new {report.skipped}, failed {report.failed}, pending {report.pending}"
    )
    for error in report.errors:
        print(f"  {error}")
    if smtp is None:
        print("no SMTP server: pass --smtp URL or set NEWSMON_SMTP_URL")
        return 1
    return 0
