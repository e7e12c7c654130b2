"""How fast the News Monitor page answers with 100k stories on PostgreSQL.

Creates a fresh database (default `newsmon_bench_ui` on 127.0.0.1:5432), migrates it (the migrations
create every index the page relies on, including the pg_trgm index for title search), bulk-loads
synthetic stories, copies, flags, feedback and alerts with COPY, then times the list (several filter
combinations, flagged and all stories), the story detail and the health checks (which every page runs for
its banner) through the real FastAPI app (HTML pages and the JSON API) with Starlette's TestClient. The
Airflow login is replaced by a fixed user: JWT checking is not what is measured. Prints p50/p95 per case.

    .venv/bin/python bench/ui.py                    # 100k stories, schema as migrated
    .venv/bin/python bench/ui.py --no-indexes       # baseline: without the page's indexes of migration 0002
    .venv/bin/python bench/ui.py --stories 20000 --keep
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="newsmon-bench-ui-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
sys.path.insert(0, str(REPO / "plugins"))

MIGRATION_0002 = REPO / "include/newsmon/store/migrations/versions/0002_ui_indexes_digest_lease.py"
TRGM_INDEX = "ix_stories_title_trgm"


WORDS = [
    "camp",
    "children",
    "return",
    "families",
    "officials",
    "government",
    "minister",
    "border",
    "talks",
    "report",
    "court",
    "aid",
    "refugees",
    "prison",
    "security",
    "council",
    "city",
    "region",
    "north",
    "east",
    "week",
    "vote",
    "election",
    "market",
    "energy",
    "water",
    "storm",
    "school",
    "hospital",
    "police",
    "army",
    "leaders",
    "agreement",
    "plan",
    "crisis",
    "budget",
    "press",
]
RARE = "ceasefire"
LANGS = ["en"] * 12 + ["fr"] * 3 + ["de"] * 2 + ["ar"] * 2 + ["ru"]
TOPICS = ["repatriation", "detention", "trafficking"]
SITES = [f"site{i}.example" for i in range(400)]


def _copy_rows(cur, table: str, columns: list[str], rows) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def load(url: str, n_stories: int, seed: int = 7) -> dict[str, int]:
    """Bulk-load synthetic data; returns row counts."""
    from newsmon.store.db import get_engine

    rng = random.Random(seed)
    now = datetime.now(UTC)
    raw = get_engine(url).raw_connection()
    try:
        cur = raw.cursor()
        feeds = [
            (i + 1, f"http://127.0.0.1:9/feed{i}.xml", f"Feed {i}", "en", "[]", False, True, 0, now)
            for i in range(60)
        ]
        _copy_rows(
            cur,
            "feeds",
            [
                "id",
                "url",
                "name",
                "lang",
                "tags",
                "allow_private",
                "active",
                "consecutive_errors",
                "created_at",
            ],
            feeds,
        )

        stories, copies, flags, feedback, alerts = [], [], [], [], []
        copy_id = 0
        text_pool = [" ".join(_sentence(rng, rng.randint(8, 16)) for _ in range(6)) for _ in range(500)]
        for sid in range(1, n_stories + 1):
            first = now - timedelta(seconds=rng.randint(0, 365 * 86400))
            lang = rng.choice(LANGS)
            words = [rng.choice(WORDS) for _ in range(rng.randint(6, 11))]
            if rng.random() < 0.01:
                words.insert(rng.randint(0, len(words)), RARE)
            title = " ".join(words).capitalize()
            n_copies = rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 8))
            first_copy = copy_id + 1
            last = first
            for k in range(n_copies):
                copy_id += 1
                when = first + timedelta(minutes=k * rng.randint(5, 240))
                last = max(last, when)
                copy_lang = lang if rng.random() < 0.85 else rng.choice(LANGS)
                copies.append(
                    (
                        copy_id,
                        f"{rng.choice(SITES)}/{copy_id}",
                        f"https://{rng.choice(SITES)}/a/{copy_id}",
                        rng.choice(SITES),
                        title,
                        when,
                        copy_lang,
                        rng.choice(text_pool),
                        "page",
                        "ok",
                        sid,
                        when,
                        rng.randint(1, 60),
                    )
                )
            stories.append((sid, title, lang, first_copy, first, last, n_copies))
            for topic in rng.sample(TOPICS, 1 if rng.random() < 0.8 else 2):
                score = round(rng.betavariate(2, 3), 3)
                evidence = json.dumps(
                    {
                        "topic": topic,
                        "score": score,
                        "evidence": [{"sentence": "x", "terms": ["camp"], "weight": 0.5}],
                        "features": {"terms": 3, "concepts": 2},
                    }
                )
                flags.append((sid, topic, score, first_copy, evidence, first + timedelta(minutes=3), first))
                if rng.random() < 0.05:
                    feedback.append(
                        (sid, topic, rng.choice(["ann", "bob", "cem"]), rng.random() < 0.7, None, now, now)
                    )
                if score > 0.7:
                    alerts.append(
                        (
                            sid,
                            topic,
                            "sent",
                            '["desk@example.org"]',
                            f"<{sid}.{topic}@bench>",
                            1,
                            first,
                            first,
                        )
                    )
        _copy_rows(
            cur,
            "stories",
            ["id", "title", "lang", "original_copy_id", "first_seen_at", "last_copy_at", "copies_count"],
            stories,
        )
        _copy_rows(
            cur,
            "copies",
            [
                "id",
                "url_key",
                "url",
                "site",
                "title",
                "published",
                "lang",
                "text",
                "text_source",
                "fetch_status",
                "story_id",
                "fetched_at",
                "feed_id",
            ],
            copies,
        )
        _copy_rows(
            cur,
            "flags",
            ["story_id", "topic", "score", "copy_id", "evidence", "flagged_at", "updated_at"],
            flags,
        )
        _copy_rows(
            cur,
            "feedback",
            ["story_id", "topic", '"user"', "relevant", "note", "created_at", "updated_at"],
            feedback,
        )
        _copy_rows(
            cur,
            "alerts",
            ["story_id", "topic", "status", "recipients", "message_id", "attempts", "created_at", "sent_at"],
            alerts,
        )
        for table in ("feeds", "stories", "copies"):
            # table names come from the tuple above, never from input
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )
        raw.commit()
    finally:
        raw.close()
    return {
        "stories": len(stories),
        "copies": len(copies),
        "flags": len(flags),
        "feedback": len(feedback),
        "alerts": len(alerts),
    }


def page_indexes() -> list[str]:
    """The index names migration 0002 adds for the page, read from the migration itself (one source)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("newsmon_migration_0002", MIGRATION_0002)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [*module.INDEXES, TRGM_INDEX]


def existing_indexes(url: str, names: list[str]) -> list[str]:
    from sqlalchemy import text

    from newsmon.store.db import get_engine

    with get_engine(url).connect() as conn:
        found = conn.execute(text("SELECT indexname FROM pg_indexes WHERE indexname = ANY(:n)"), {"n": names})
        return sorted(r[0] for r in found)


def drop_indexes(url: str, names: list[str]) -> None:
    """For the baseline only: the schema as it was before migration 0002's indexes."""
    from sqlalchemy import text

    from newsmon.store.db import get_engine

    with get_engine(url).begin() as conn:
        for name in names:  # names come from the migration file, never from input
            conn.execute(text(f'DROP INDEX IF EXISTS "{name}"'))


def analyze(url: str) -> None:
    from newsmon.store.db import get_engine

    raw = get_engine(url).raw_connection()
    try:
        raw.driver_connection.autocommit = True
        raw.cursor().execute("VACUUM ANALYZE")
    finally:
        raw.close()


def fresh_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(url: str, runs: int, n_stories: int) -> list[tuple[str, float, float]]:
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from newsmon_ui.app import create_app

    sub = create_app(lambda: url)
    sub.dependency_overrides[get_user] = lambda: SimpleAuthManagerUser(username="ann", role="viewer")
    root = FastAPI()
    root.mount("/newsmon", sub)
    client = TestClient(root)
    week_ago = (datetime.now(UTC) - timedelta(days=7)).date().isoformat()
    list_cases = {
        "default (newest first)": {},
        "topic": {"topic": "repatriation"},
        "topic + min_score, by score": {"topic": "detention", "min_score": "0.8", "sort": "score"},
        "language fr": {"lang": "fr"},
        "feedback none": {"feedback": "none"},
        "feedback relevant": {"feedback": "relevant"},
        "text search (rare word)": {"q": RARE},
        "text search (2 common words)": {"q": "camp children"},
        "last 7 days": {"date_from": week_ago},
        "sort by copies asc": {"sort": "copies", "order": "asc"},
        "sort by score (all topics)": {"sort": "score"},
        "sort by title": {"sort": "title", "order": "asc"},
        "page 400": {"page": "400"},
        "all stories (flagged or not)": {"scope": "all"},
        "all stories, by score": {"scope": "all", "sort": "score"},
        "all stories, text search": {"scope": "all", "q": "camp children"},
        "all filters": {
            "topic": "repatriation",
            "lang": "en",
            "min_score": "0.3",
            "q": "camp",
            "date_from": "2000-01-01",
            "feedback": "any",
            "sort": "score",
        },
    }
    rng = random.Random(3)
    results = []

    def timed(label: str, make_request, codes: tuple[int, ...] = (200,)) -> None:
        for _ in range(2):  # warm caches and the connection pool
            make_request()
        samples = []
        for _ in range(runs):
            t = time.perf_counter()
            response = make_request()
            samples.append((time.perf_counter() - t) * 1000)
            assert response.status_code in codes, (label, response.status_code, response.text[:300])
        results.append((label, statistics.median(samples), _pct(samples, 0.95)))

    for label, params in list_cases.items():
        timed(f"list page  | {label}", lambda p=params: client.get("/newsmon/", params=p))
    for label in ("default (newest first)", "all filters"):
        timed(
            f"list API   | {label}", lambda p=list_cases[label]: client.get("/newsmon/api/stories", params=p)
        )
    timed("detail page| random story", lambda: client.get(f"/newsmon/stories/{rng.randint(1, n_stories)}"))
    timed(
        "detail API | random story", lambda: client.get(f"/newsmon/api/stories/{rng.randint(1, n_stories)}")
    )
    # The health checks run on every page (the banner) and answer probes; 503 is their "fail".
    timed("health API | public status", lambda: client.get("/newsmon/api/health"), (200, 503))
    timed("health API | detail", lambda: client.get("/newsmon/api/health/detail"), (200, 503))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="newsmon_bench_ui")
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument(
        "--no-indexes",
        action="store_true",
        help="baseline: drop the indexes migration 0002 adds for the page",
    )
    parser.add_argument("--keep", action="store_true", help="leave the database for inspection")
    args = parser.parse_args(argv)

    from newsmon.store.db import get_engine, upgrade

    url = fresh_database(args.admin_url, args.database)
    try:
        upgrade(url)
        t = time.perf_counter()
        counts = load(url, args.stories)
        print(f"loaded {counts} in {time.perf_counter() - t:.1f} s")
        names = page_indexes()
        if args.no_indexes:
            drop_indexes(url, names)
        present = existing_indexes(url, names)
        print(f"page indexes present: {', '.join(present) or 'none'}")
        missing = sorted(set(names) - set(present))
        if missing and not args.no_indexes:
            print(f"WARNING: missing after migration: {', '.join(missing)}")
        analyze(url)
        print(f"{'case':<48} {'p50 ms':>8} {'p95 ms':>8}")
        worst = 0.0
        for label, p50, p95 in measure(url, args.runs, args.stories):
            worst = max(worst, p95)
            print(f"{label:<48} {p50:8.1f} {p95:8.1f}")
        print(f"worst p95: {worst:.1f} ms (target < 300 ms)")
    finally:
        get_engine(url).dispose()
        if not args.keep:
            import psycopg

            with psycopg.connect(args.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
