"""Is newsmon doing its job? Five checks an operator can page on, each ok / warn / fail against a threshold.

| check            | measures                                               | warn at | fail at |
|------------------|--------------------------------------------------------|---------|---------|
| `last_run`       | age of the last pipeline run that reached its end      | 45 min  | 2 h     |
| `newest_copy`    | age of the newest stored copy (article)                | 2 h     | 6 h     |
| `failing_feeds`  | share of active feeds whose last poll failed, in %     | 20      | 40      |
| `fetch_backlog`  | entries waiting for their article to be fetched        | 1000    | 5000    |
| `pending_alerts` | how long the oldest undelivered alert has been waiting | 15 min  | 30 min  |

A value at or above a threshold takes its status. Thresholds come from `NEWSMON_HEALTH_<CHECK>_WARN` /
`_FAIL` (durations as `900`, `15m`, `2h`, `1d`); a value that does not parse keeps the default and turns the
extra `configuration` check to warn, naming the variable, so a typo is seen instead of silently ignored.

The same report feeds the `/newsmon/api/health` endpoint, the News Monitor banner, `newsmon health` and the
health gauges the DAG emits: one evaluation, four views. Everything takes `now`, so tests use a clock of
their own instead of waiting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from newsmon.config.settings import parse_duration
from newsmon.store.health import HealthFacts, read_facts

ENV_PREFIX = "NEWSMON_HEALTH_"


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"

    @property
    def rank(self) -> int:
        """0, 1, 2: what the `newsmon.health.*` gauges report and what orders problems."""
        return _RANK[self]


_RANK = {Status.OK: 0, Status.WARN: 1, Status.FAIL: 2}


@dataclass(frozen=True)
class Limit:
    warn: float
    fail: float

    def status(self, value: float) -> Status:
        if value >= self.fail:
            return Status.FAIL
        if value >= self.warn:
            return Status.WARN
        return Status.OK


@dataclass(frozen=True)
class Thresholds:
    """Per check: (warn, fail). Ages in seconds, the feed share in percent, the backlog in entries."""

    last_run: Limit = Limit(45 * 60, 2 * 3600)
    newest_copy: Limit = Limit(2 * 3600, 6 * 3600)
    failing_feeds: Limit = Limit(20, 40)
    fetch_backlog: Limit = Limit(1000, 5000)
    pending_alerts: Limit = Limit(15 * 60, 30 * 60)
    problems: tuple[str, ...] = field(default=(), compare=False)  # variables that did not parse

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Thresholds:
        env = os.environ if env is None else env
        limits: dict[str, Limit] = {}
        problems: list[str] = []
        for f in fields(cls):
            if f.name == "problems":
                continue
            default: Limit = f.default  # type: ignore[assignment]
            parse = _parse_duration if UNITS[f.name] == "seconds" else _parse_number
            values = {}
            for level in ("warn", "fail"):
                name = f"{ENV_PREFIX}{f.name.upper()}_{level.upper()}"
                raw = env.get(name)
                values[level] = getattr(default, level)
                if raw is None or not raw.strip():
                    continue
                try:
                    values[level] = parse(raw)
                except ValueError as exc:
                    problems.append(f"{name}={raw!r}: {exc}; using {getattr(default, level):g}")
            if values["warn"] > values["fail"]:
                problems.append(
                    f"{ENV_PREFIX}{f.name.upper()}_WARN is above _FAIL; using the defaults "
                    f"{default.warn:g} / {default.fail:g}"
                )
                values = {"warn": default.warn, "fail": default.fail}
            limits[f.name] = Limit(**values)
        return cls(**limits, problems=tuple(problems))


UNITS = {
    "last_run": "seconds",
    "newest_copy": "seconds",
    "failing_feeds": "percent",
    "fetch_backlog": "entries",
    "pending_alerts": "seconds",
}


def _parse_duration(raw: str) -> float:
    try:
        return parse_duration(raw).total_seconds()
    except ValueError:
        raise ValueError("not a duration (write 900, 15m, 2h or 1d)") from None


def _parse_number(raw: str) -> float:
    try:
        value = float(raw.strip().rstrip("%"))
    except ValueError:
        raise ValueError("not a number") from None
    if value < 0:
        raise ValueError("must not be negative")
    return value


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    value: float | None  # None: nothing to measure yet (no run recorded, no copy stored, no feeds)
    unit: str
    warn: float | None
    fail: float | None
    summary: str  # one line for people
    cause: str | None = None  # what is behind it: the SMTP error, the feeds' error kinds, ...

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": str(self.status),
            "value": None if self.value is None else round(self.value, 3),
            "unit": self.unit,
            "warn": self.warn,
            "fail": self.fail,
            "summary": self.summary,
            "cause": self.cause,
        }


@dataclass(frozen=True)
class HealthReport:
    status: Status
    checked_at: datetime
    checks: tuple[Check, ...]
    facts: HealthFacts

    @property
    def problems(self) -> list[Check]:
        """The checks that are not ok, worst first."""
        bad = [c for c in self.checks if c.status is not Status.OK]
        return sorted(bad, key=lambda c: -c.status.rank)

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def liveness(self) -> dict[str, str]:
        """The public form: the overall status and nothing else (no names, counts, URLs or errors)."""
        return {"status": str(self.status)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": str(self.status),
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
            "checks": [c.as_dict() for c in self.checks],
        }


def age_text(seconds: float) -> str:
    """`45 s`, `31 min`, `2 h 5 min`, `3 d 4 h`: ages as an operator reads them."""
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def limit_text(value: float | None, unit: str) -> str:
    """A check's value or threshold in its unit, as people read it: `31 min`, `40%`, `1000`."""
    if value is None:
        return "—"
    if unit == "seconds":
        return age_text(value)
    return f"{value:g}%" if unit == "percent" else f"{value:g}"


def _age_check(name: str, limit: Limit, at: datetime | None, now: datetime, what: str, never: str) -> Check:
    if at is None:
        return Check(name, Status.WARN, None, "seconds", limit.warn, limit.fail, never)
    age = max((now - at).total_seconds(), 0.0)
    return Check(
        name, limit.status(age), age, "seconds", limit.warn, limit.fail, f"{what} {age_text(age)} ago"
    )


def evaluate(facts: HealthFacts, thresholds: Thresholds, now: datetime) -> HealthReport:
    """The checks over facts read earlier: a pure function, so every status is testable with made-up facts."""
    t = thresholds
    checks = [
        _age_check(
            "last_run", t.last_run, facts.last_run_at, now, "last successful run", "no run has finished yet"
        ),
        _age_check(
            "newest_copy",
            t.newest_copy,
            facts.newest_copy_at,
            now,
            "newest article stored",
            "no article stored yet",
        ),
    ]
    if facts.active_feeds:
        share = 100.0 * facts.failing_feeds / facts.active_feeds
        kinds = ", ".join(
            f"{k}: {n}" for k, n in sorted(facts.failing_by_kind.items(), key=lambda kv: -kv[1])
        )
        checks.append(
            Check(
                "failing_feeds",
                t.failing_feeds.status(share),
                share,
                "percent",
                t.failing_feeds.warn,
                t.failing_feeds.fail,
                f"{facts.failing_feeds} of {facts.active_feeds} feeds failing ({share:.0f}%)",
                kinds or None,
            )
        )
    else:
        checks.append(
            Check(
                "failing_feeds",
                Status.WARN,
                None,
                "percent",
                t.failing_feeds.warn,
                t.failing_feeds.fail,
                "no active feeds: add some to feeds.yaml",
            )
        )
    more = " or more" if facts.backlog_capped else ""
    checks.append(
        Check(
            "fetch_backlog",
            t.fetch_backlog.status(facts.backlog),
            float(facts.backlog),
            "entries",
            t.fetch_backlog.warn,
            t.fetch_backlog.fail,
            f"{facts.backlog}{more} entries waiting to be fetched",
        )
    )
    if facts.pending_alerts and facts.oldest_pending_at is not None:
        age = max((now - facts.oldest_pending_at).total_seconds(), 0.0)
        checks.append(
            Check(
                "pending_alerts",
                t.pending_alerts.status(age),
                age,
                "seconds",
                t.pending_alerts.warn,
                t.pending_alerts.fail,
                f"{facts.pending_alerts} alert{'s' if facts.pending_alerts != 1 else ''} not delivered, "
                f"the oldest waiting {age_text(age)}",
                facts.oldest_pending_error,
            )
        )
    else:
        checks.append(
            Check(
                "pending_alerts",
                Status.OK,
                0.0,
                "seconds",
                t.pending_alerts.warn,
                t.pending_alerts.fail,
                "every alert delivered",
            )
        )
    if t.problems:
        checks.append(
            Check(
                "configuration",
                Status.WARN,
                None,
                "",
                None,
                None,
                "health thresholds misconfigured",
                "; ".join(t.problems),
            )
        )
    worst = max((c.status for c in checks), key=lambda s: s.rank)
    return HealthReport(status=worst, checked_at=now, checks=tuple(checks), facts=facts)


def check_health(
    session: Session, *, now: datetime, thresholds: Thresholds | None = None, max_fetch_attempts: int = 3
) -> HealthReport:
    """Read the facts and evaluate them. `max_fetch_attempts` must be the fetch stage's (Settings)."""
    facts = read_facts(session, max_fetch_attempts=max_fetch_attempts)
    return evaluate(facts, thresholds or Thresholds.from_env(), now)
