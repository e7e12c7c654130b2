"""Benchmark alert delivery: N pending alerts sent to a local aiosmtpd server.

Usage: python bench/alerts.py [--alerts 1000] [--copies 3] [--db URL] [--idle-runs 20]

Prints: the time to queue the alerts, wall time and messages/s of the delivery run, SMTP connections opened
(counted by the client and, independently, by the server's EHLO count), the average message size, and the
cost of a run with nothing to do (queue + deliver, averaged over --idle-runs runs).

The SMTP server runs in a child process so that it does not share the interpreter lock with the client
being measured. Without --db a fresh SQLite file in a temporary directory is used; with a PostgreSQL URL,
pass an empty database (the tables are created by the migrations and then filled).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include"))

TOPIC = "child_repatriation"
SERVER = r"""
import json, socket, sys
from aiosmtpd.controller import Controller

stats = {"messages": 0, "ehlo": 0, "bytes": 0}

class Handler:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        stats["ehlo"] += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        stats["messages"] += 1
        stats["bytes"] += len(envelope.content)
        return "250 OK"

# aiosmtpd 1.4 cannot start on port 0 (it probes the port it was given), so pick a free one first.
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
c = Controller(Handler(), hostname="127.0.0.1", port=port)
c.start()
print(c.port, flush=True)
sys.stdin.readline()
c.stop()
print(json.dumps(stats), flush=True)
"""


class SmtpServer:
    """aiosmtpd in a child process; `stop()` returns what it counted."""

    def __enter__(self) -> SmtpServer:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.port = int(self.proc.stdout.readline())
        return self

    def stop(self) -> dict:
        self.proc.stdin.write("stop\n")
        self.proc.stdin.flush()
        stats = json.loads(self.proc.stdout.readline())
        self.proc.wait(10)
        return stats

    def __exit__(self, *_exc) -> None:
        if self.proc.poll() is None:
            self.proc.kill()


def seed(db_url: str, n: int, copies: int, now: datetime) -> None:
    """N flagged stories of `copies` copies each, written in bulk (seeding is not what is measured)."""
    from sqlalchemy import insert, select

    from newsmon.store.db import session_scope
    from newsmon.store.models import Copy, Flag, Story

    sentence = "Forty-one children were repatriated from the al-Hol camp in north-east Syria on Tuesday."
    evidence = {
        "topic": TOPIC,
        "score": 2.4,
        "flagged": True,
        "threshold": 1.3,
        "lang": "en",
        "features": {},
        "counts": {},
        "learned_probability": None,
        "evidence": [
            {
                "sentence": sentence,
                "terms": ["children", "repatriated", "al-Hol"],
                "concepts": ["CHILD", "RETURN"],
                "weight": 2.4,
                "rules": [],
                "in_title": False,
            }
        ],
    }
    with session_scope(db_url) as s:
        s.execute(
            insert(Story),
            [
                {
                    "title": f"Children of foreign fighters brought home, report {i}",
                    "lang": "en",
                    "first_seen_at": now,
                    "last_copy_at": now,
                    "copies_count": copies,
                }
                for i in range(n)
            ],
        )
        story_ids = list(s.scalars(select(Story.id).order_by(Story.id)))
        s.execute(
            insert(Copy),
            [
                {
                    "url_key": f"https://site{j}.example/news/{sid}",
                    "url": f"https://site{j}.example/news/{sid}",
                    "site": f"site{j}.example",
                    "title": f"Children brought home ({sid}/{j})",
                    "text": sentence,
                    "lang": "en",
                    "published": now,
                    "fetched_at": now,
                    "story_id": sid,
                    "text_source": "page",
                    "fetch_status": "ok",
                }
                for sid in story_ids
                for j in range(copies)
            ],
        )
        originals = dict(s.execute(select(Copy.story_id, Copy.id).where(Copy.site == "site0.example")).all())
        for sid, cid in originals.items():
            s.get(Story, sid).original_copy_id = cid
        s.execute(
            insert(Flag),
            [
                {
                    "story_id": sid,
                    "topic": TOPIC,
                    "score": 2.4,
                    "copy_id": originals[sid],
                    "evidence": evidence,
                    "flagged_at": now,
                    "updated_at": now,
                }
                for sid in story_ids
            ],
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument(
        "--copies", type=int, default=3, help="copies per story (each is listed in the email)"
    )
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--idle-runs", type=int, default=20)
    args = parser.parse_args()

    from newsmon.alerts.smtp import SmtpConfig
    from newsmon.alerts.stage import deliver_pending, queue_alerts
    from newsmon.store.db import session_scope, upgrade

    tmp = tempfile.TemporaryDirectory(prefix="newsmon-bench-")
    db_url = args.db or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    topics = {TOPIC: ["analysts@example.org", "desk@example.org"]}
    upgrade(db_url)
    seed(db_url, args.alerts, args.copies, now)

    t0 = time.perf_counter()
    with session_scope(db_url) as s:
        queued = queue_alerts(s, topics=topics, now=now)
    queue_s = time.perf_counter() - t0

    with SmtpServer() as server:
        smtp = SmtpConfig(host="127.0.0.1", port=server.port, from_email="newsmon@bench.example")
        t0 = time.perf_counter()
        report = deliver_pending(db_url, smtp=smtp, now=now, ui_url="http://localhost:8080/newsmon")
        wall = time.perf_counter() - t0

        idle = []
        for i in range(args.idle_runs):
            later = now + timedelta(minutes=15 * (i + 1))
            t0 = time.perf_counter()
            with session_scope(db_url) as s:
                again = queue_alerts(s, topics=topics, now=later)
            idle_report = deliver_pending(
                db_url, smtp=smtp, now=later, ui_url="http://localhost:8080/newsmon"
            )
            idle.append(time.perf_counter() - t0)
            assert not again and idle_report.sent == 0 and idle_report.connections == 0
        stats = server.stop()

    kind = db_url.split(":", 1)[0]
    print(f"database                 {kind}, {args.alerts} flagged stories x {args.copies} copies")
    print(f"queue_alerts             {len(queued)} alerts queued in {queue_s * 1000:.0f} ms")
    print(f"deliver_pending          sent {report.sent}, failed {report.failed}, pending {report.pending}")
    print(f"wall time                {wall:.2f} s")
    print(
        f"throughput               {report.sent / wall:.0f} messages/s "
        f"({wall / max(report.sent, 1) * 1000:.2f} ms per message)"
    )
    print(f"connections opened       {report.connections} (client), {stats['ehlo']} EHLO (server)")
    print(
        f"server received          {stats['messages']} messages, "
        f"{stats['bytes'] / max(stats['messages'], 1):.0f} bytes each on average"
    )
    print(
        f"idle run (nothing due)   median {statistics.median(idle) * 1000:.1f} ms, "
        f"max {max(idle) * 1000:.1f} ms over {len(idle)} runs (queue + deliver, 0 connections)"
    )
    tmp.cleanup()
    return 0 if report.sent == args.alerts == stats["messages"] else 1


if __name__ == "__main__":
    sys.exit(main())
