"""`newsmon health`: the pipeline's health checks, for a person, cron or a container probe.

Exit status: 0 when every check is ok or warn, 1 when one fails (`--fail-on warn` makes warn count too),
2 when the checks cannot be read at all (database unreachable, schema missing): every non-zero status means
"look at newsmon".
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from newsmon.cli.common import settings_from_args
from newsmon.health import Check, HealthReport, Status, Thresholds, check_health, limit_text
from newsmon.store.db import session_scope

EXIT_OK, EXIT_FAIL, EXIT_UNREADABLE = 0, 1, 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "health",
        help="run the health checks (last run, newest article, failing feeds, backlog, pending alerts)",
        description="Print every health check; exit 1 when one fails, 2 when they cannot be read.",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the report as JSON (as /api/health/detail)"
    )
    parser.add_argument(
        "--fail-on",
        choices=(Status.WARN.value, Status.FAIL.value),
        default=Status.FAIL.value,
        help="lowest status that makes the exit status non-zero (default: fail)",
    )
    parser.set_defaults(func=_health)


def _line(check: Check) -> list[str]:
    limits = ""
    if check.warn is not None:
        limits = f"  (warn {limit_text(check.warn, check.unit)}, fail {limit_text(check.fail, check.unit)})"
    lines = [f"  {check.status.value:<5} {check.name:<15} {check.summary}{limits}"]
    if check.cause:
        lines.append(f"        {'':<15} cause: {check.cause}")
    return lines


def render(report: HealthReport) -> str:
    head = f"newsmon health: {report.status.value.upper()} (as of {report.checked_at:%Y-%m-%d %H:%M:%S} UTC)"
    return "\n".join([head, *(line for check in report.checks for line in _line(check))])


def _health(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    try:
        with session_scope(settings.db_url) as session:
            report = check_health(
                session,
                now=datetime.now(UTC),
                thresholds=Thresholds.from_env(),
                max_fetch_attempts=settings.max_fetch_attempts,
            )
    except SQLAlchemyError as exc:
        print(f"newsmon health: cannot read the database: {type(exc).__name__}")
        print(f"  {str(exc).splitlines()[0]}")
        print("  is the database reachable, and migrated (`newsmon db upgrade`)?")
        return EXIT_UNREADABLE
    print(json.dumps(report.as_dict(), indent=2) if args.json else render(report))
    failing = report.status.rank >= Status(args.fail_on).rank
    return EXIT_FAIL if failing else EXIT_OK
