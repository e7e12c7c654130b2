"""End-to-end benchmark: the whole news_monitor DAG on generated feeds, against the floor of bare parsing.

    .venv/bin/python bench/pipeline.py [--feeds 100] [--pages 20] [--mode local|celery|both] [--batch-size N]

A 127.0.0.1 server (a thread here) serves N feeds (RSS 2.0) of M article pages each, in English, Russian and
German, one page in six a syndicated copy of another feed's article (other headline, other boilerplate,
an "(Source: …)" line). Then, each on fresh databases:

* floor:  one process, feedparser on every feed and trafilatura on every page, nothing stored;
* local:  `airflow dags test news_monitor` (tasks in one process, one after another), Airflow and newsmon
          on SQLite: the LocalExecutor-class single-machine set-up; its in-process Execution API is started
          before the run (bench/dag_test.py), as a deployment's API server is;
* celery: `scripts/prod.sh start` (PostgreSQL, CeleryExecutor, a private Redis, two workers; it returns when
          the Execution API has built its routes), the scheduled
          run is timed from its metadata; then the stack is stopped.

Printed: wall time of the DAG run and articles/min, the ratio to the floor, seconds per task (where the
time goes), memory of the whole stack (sum of PSS over every process of every component, peak), and each
of issue #18's bars with its figure from this run: run ≤ 2x the floor (local) or 4x (Celery), fold ≤ 5 ms
per article, flag ≤ 1 ms per article per topic, prepare ≤ 1 s.
Politeness is off (NEWSMON_HOST_DELAY=0): all feeds live on one host here, and a 1 s delay per request to it
would measure the delay, not the pipeline; in production politeness is per site and overlaps across sites.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
BIN = REPO / ".venv" / "bin"
sys.path.insert(0, str(REPO / "scripts"))
from local_servers import LocalRedis, free_port  # noqa: E402 - scripts/ is on the path only from here on

PG_ADMIN = os.environ.get("NEWSMON_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")

# Word stock for generated text; topic words make some articles hit the shipped repatriation topic.
WORDS = {
    "en": [
        "government",
        "ministry",
        "council",
        "minister",
        "report",
        "city",
        "region",
        "court",
        "budget",
        "school",
        "hospital",
        "road",
        "energy",
        "market",
        "company",
        "workers",
        "union",
        "election",
        "vote",
        "parliament",
        "police",
        "officials",
        "residents",
        "museum",
        "river",
        "weather",
        "storm",
        "harvest",
        "farmers",
        "prices",
        "inflation",
        "bank",
        "railway",
        "bridge",
        "airport",
        "science",
        "university",
        "study",
        "health",
        "doctors",
        "patients",
        "water",
        "festival",
        "theatre",
        "football",
        "team",
        "coach",
        "season",
        "league",
    ],
    "ru": [
        "правительство",
        "министерство",
        "совет",
        "министр",
        "доклад",
        "город",
        "регион",
        "суд",
        "бюджет",
        "школа",
        "больница",
        "дорога",
        "энергия",
        "рынок",
        "компания",
        "рабочие",
        "профсоюз",
        "выборы",
        "голосование",
        "парламент",
        "полиция",
        "чиновники",
        "жители",
        "музей",
        "река",
        "погода",
        "шторм",
        "урожай",
        "фермеры",
        "цены",
        "инфляция",
        "банк",
        "железная",
        "мост",
        "аэропорт",
        "наука",
        "университет",
        "исследование",
        "здоровье",
        "врачи",
        "пациенты",
        "вода",
        "фестиваль",
        "театр",
        "футбол",
        "команда",
        "тренер",
        "сезон",
        "лига",
    ],
    "de": [
        "Regierung",
        "Ministerium",
        "Rat",
        "Minister",
        "Bericht",
        "Stadt",
        "Region",
        "Gericht",
        "Haushalt",
        "Schule",
        "Krankenhaus",
        "Straße",
        "Energie",
        "Markt",
        "Firma",
        "Arbeiter",
        "Gewerkschaft",
        "Wahl",
        "Abstimmung",
        "Parlament",
        "Polizei",
        "Beamte",
        "Einwohner",
        "Museum",
        "Fluss",
        "Wetter",
        "Sturm",
        "Ernte",
        "Bauern",
        "Preise",
        "Inflation",
        "Bank",
        "Bahn",
        "Brücke",
        "Flughafen",
        "Wissenschaft",
        "Universität",
        "Studie",
        "Gesundheit",
        "Ärzte",
        "Patienten",
        "Wasser",
        "Festival",
        "Theater",
        "Fußball",
        "Mannschaft",
        "Trainer",
        "Saison",
        "Liga",
    ],
}
# A paragraph on the shipped topic, put into about 3% of the originals (and so into their copies): two
# sentences, not one said twice, which the extractor drops as an aggregator's doubled caption (the corpus
# then gave no flag, and the flag, alert and publish path ran empty).
TOPIC_PARAGRAPH = {
    "en": "The ministry said it had repatriated children of foreign fighters from the al-Hol camp in Syria. "
    "More of the children held in camps in north-east Syria are expected to return home next month.",
    "ru": "Министерство сообщило о возвращении детей иностранных боевиков из лагеря аль-Холь в Сирии. "
    "Ожидается, что в следующем месяце домой вернутся ещё дети из лагерей на северо-востоке Сирии.",
    "de": "Das Ministerium holte Kinder ausländischer Kämpfer aus dem Lager al-Hol in Syrien zurück. "
    "Weitere Kinder aus den Lagern im Nordosten Syriens sollen im kommenden Monat heimkehren.",
}
LANGS = ("en", "ru", "de")


# ------------------------------------------------------------------------------------------------ corpus


# Syllables for the long tail of each language's vocabulary. With the word stock alone (about 40 words a
# language) any two generated articles shared so many character shingles that a third of all pairs
# passed the story pre-filter, against half a percent of the unrelated pairs in the real labelled set:
# the fold then compared every article with dozens of others, which no real feed asks of it.
SYLLABLES = {
    lang: ["".join(pair) for pair in itertools.product(consonants, vowels)] + extra
    for lang, consonants, vowels, extra in (
        ("en", "bcdfghlmnprstvwy", "aeiou", ["th", "st"]),
        ("ru", "бвгдзклмнпрстчш", "аеиоу", ["ст", "ый"]),
        ("de", "bdfghklmnrstwz", "aeiou", ["sch", "ch", "en", "er", "un"]),
    )
}
TAIL_WORDS = 20000  # per language


def _lexicon(lang: str) -> tuple[list[str], list[float]]:
    """The word stock first, then a long tail of made-up words, weighted as Zipf's law (rank ** -1) has
    the words of a real text."""
    rng = random.Random(f"lexicon-{lang}")
    tail: set[str] = set()
    while len(tail) < TAIL_WORDS:
        tail.add("".join(rng.choices(SYLLABLES[lang], k=rng.randint(2, 5))))
    words = WORDS[lang] + sorted(tail)
    return words, [1 / (rank + 1) for rank in range(len(words))]


LEXICON = {lang: _lexicon(lang) for lang in WORDS}


def _words(rng: random.Random, lang: str, k: int) -> list[str]:
    words, weights = LEXICON[lang]
    return rng.choices(words, weights=weights, k=k)


def _sentence(rng: random.Random, lang: str) -> str:
    return " ".join(_words(rng, lang, rng.randint(9, 18))).capitalize() + "."


def build_corpus(n_feeds: int, n_pages: int, seed: int = 7) -> dict[str, bytes]:
    """path -> body for every feed and page; `{{BASE}}` stands for the server's base URL."""
    rng = random.Random(seed)
    files: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nAllow: /\n"}
    originals: list[tuple[str, str, list[str]]] = []  # (lang, title, paragraphs)
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    for f in range(n_feeds):
        lang = LANGS[f % 3]
        items = []
        for p in range(n_pages):
            path = f"/site{f}/news/{p}.html"
            copy_of = originals[rng.randrange(len(originals))] if originals and rng.random() < 1 / 6 else None
            if copy_of is not None:
                lang_p, title, paras = copy_of[0], "Syndicated: " + copy_of[1], copy_of[2]
                source = f"<p>(Source: site{rng.randrange(n_feeds)}.example; syndicated)</p>"
            else:
                lang_p = lang
                title = " ".join(_words(rng, lang, 6)).capitalize()
                paras = [" ".join(_sentence(rng, lang) for _ in range(rng.randint(3, 6))) for _ in range(6)]
                if rng.random() < 0.03:
                    paras.insert(1, TOPIC_PARAGRAPH[lang])
                originals.append((lang, title, paras))
                source = ""
            published = now - timedelta(minutes=f * n_pages + p)
            body = "".join(f"<p>{escape(x)}</p>" for x in paras)
            html = (
                f'<!doctype html><html lang="{lang_p}"><head><meta charset="utf-8">'
                f"<title>{escape(title)}</title>"
                f'<meta property="og:title" content="{escape(title)}">'
                f'<meta property="article:published_time" content="{published.isoformat()}"></head><body>'
                f'<nav><a href="/site{f}/">Home</a> | <a href="/site{f}/world">World</a> | Subscribe</nav>'
                f"<article><h1>{escape(title)}</h1>{source}{body}</article>"
                f"<footer>© site{f} — all rights reserved. Newsletter: sign up now.</footer></body></html>"
            )
            files[path] = html.encode()
            items.append(
                f"<item><title>{escape(title)}</title><link>{{{{BASE}}}}{path}</link>"
                f"<guid>{{{{BASE}}}}{path}</guid><pubDate>{format_datetime(published)}</pubDate>"
                f"<description>{escape(paras[0][:200])}</description></item>"
            )
        files[f"/site{f}/rss.xml"] = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Site {f}</title><link>{{{{BASE}}}}/site{f}/</link><language>{lang}</language>"
            + "".join(items)
            + "</channel></rss>"
        ).encode()
    return files


class CorpusServer:
    """The generated corpus on http://127.0.0.1:PORT (a daemon thread of this process)."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        corpus = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm on, the second waits for the
            # client's delayed ACK (40 ms) on a kept connection. Web servers turn it off (TCP_NODELAY).
            disable_nagle_algorithm = True

            def do_GET(self):
                body = corpus.files.get(self.path.split("?", 1)[0])
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = body.replace(b"{{BASE}}", corpus.base.encode())
                ctype = "application/rss+xml" if self.path.endswith(".xml") else "text/html; charset=utf-8"
                if self.path.endswith(".txt"):
                    ctype = "text/plain"
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def feed_urls(self) -> list[str]:
        return [self.base + p for p in sorted(self.files) if p.endswith("rss.xml")]

    def write_feeds_yaml(self, path: Path) -> Path:
        lines = ["feeds:"]
        for i, url in enumerate(self.feed_urls()):
            lines += [f'  - url: "{url}"', f'    name: "Bench site {i}"', "    allow_private: true"]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def stop(self) -> None:
        self.httpd.shutdown()


# ------------------------------------------------------------------------------------------------- floor


def floor(server: CorpusServer) -> dict:
    """Bare feedparser + trafilatura over the same feeds and pages, one process, nothing stored."""
    import urllib.request

    import feedparser
    import trafilatura

    start, cpu = time.perf_counter(), time.process_time()
    articles = 0
    for url in server.feed_urls():
        with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - our 127.0.0.1 server
            parsed = feedparser.parse(resp.read())
        for entry in parsed.entries:
            with urllib.request.urlopen(entry.link, timeout=30) as resp:  # noqa: S310 - ditto
                html = resp.read().decode("utf-8")
            if trafilatura.extract(html, with_metadata=True):
                articles += 1
    wall = time.perf_counter() - start
    return {"wall": wall, "cpu": time.process_time() - cpu, "articles": articles}


# ------------------------------------------------------------------------------------------------ memory


def pss_of(pids: set[int]) -> int:
    import psutil

    total = 0
    for pid in pids:
        with contextlib.suppress(psutil.Error, OSError):
            total += psutil.Process(pid).memory_full_info().pss
    return total


def tree(pid: int) -> set[int]:
    import psutil

    try:
        root = psutil.Process(pid)
        return {pid, *(c.pid for c in root.children(recursive=True))}
    except psutil.Error:
        return set()


def cpu_of(pids: set[int]) -> float:
    """CPU seconds (user + system) of these processes and of the children they have reaped: the difference
    of two readings is the CPU the process trees spent between them (a process reaped in between moves its
    seconds to its parent's children)."""
    import psutil

    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error, OSError):
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    return total


class PeakMemory(threading.Thread):
    """Samples the summed PSS of some process trees every half second; `.peak` in bytes."""

    def __init__(self, roots) -> None:
        super().__init__(daemon=True)
        self.roots, self.peak, self._halt = roots, 0, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pids: set[int] = set()
            for root in self.roots():
                pids |= tree(root)
            self.peak = max(self.peak, pss_of(pids))
            self._halt.wait(0.5)

    def stop(self) -> int:
        self._halt.set()
        self.join(5)
        return self.peak


# ------------------------------------------------------------------------------------------------ runs


def task_seconds(rows) -> dict[str, tuple[int, float]]:
    """task_id -> (instances, summed seconds) from (task_id, start, end) rows."""
    out: dict[str, list] = defaultdict(lambda: [0, 0.0])
    for task_id, start, end in rows:
        if start and end:
            out[task_id][0] += 1
            out[task_id][1] += (end - start).total_seconds()
    return {k: (v[0], v[1]) for k, v in out.items()}


def timeline(rows, run_start: datetime, run_end: datetime) -> list[str]:
    """Where the run's wall time goes, from (task_id, scheduled, queued, start, end) rows: each task's first
    schedule, queue and start and its last end (seconds after the run started), the mean waits, and the
    seconds in which no task of the run was running (the orchestration between tasks)."""
    rel = lambda t: (t - run_start).total_seconds() if t else float("nan")  # noqa: E731
    by_task: dict[str, list] = defaultdict(list)
    spans = []
    for task_id, scheduled, queued, start, end in rows:
        by_task[task_id].append((scheduled, queued, start, end))
        if start and end:
            spans.append((start, end))
    busy, cursor = 0.0, run_start
    for start, end in sorted(spans):
        if end > cursor:
            busy += (end - max(start, cursor)).total_seconds()
            cursor = end
    wall = (run_end - run_start).total_seconds()
    lines = [
        f"   timeline (s after the run's start): {'task':16s} first sched  queued   start  last end"
        "   mean sched->queued  queued->start"
    ]
    order = sorted(by_task.items(), key=lambda kv: min((r[2] for r in kv[1] if r[2]), default=run_end))
    for task_id, rs in order:

        def first(i: int, rs=rs):
            return min((r[i] for r in rs if r[i]), default=None)

        def mean_gap(a: int, b: int, rs=rs) -> float:
            gaps = [(r[b] - r[a]).total_seconds() for r in rs if r[a] and r[b]]
            return sum(gaps) / len(gaps) if gaps else float("nan")

        last_end = max((r[3] for r in rs if r[3]), default=None)
        lines.append(
            f"   {'':36s}{task_id:16s} {rel(first(0)):7.1f} {rel(first(1)):7.1f} {rel(first(2)):7.1f}"
            f" {rel(last_end):8.1f}   {mean_gap(0, 1):10.2f} {mean_gap(1, 2):14.2f}"
        )
    lines.append(
        f"   some task running {busy:.1f} s of {wall:.1f} s;"
        f" no task running (between tasks) {wall - busy:.1f} s"
    )
    return lines


def newsmon_counts(db_url: str) -> dict[str, int]:
    sys.path.insert(0, str(REPO / "include"))
    from sqlalchemy import text

    from newsmon.store.db import session_scope

    with session_scope(db_url) as s:
        return {
            t: s.scalar(text(f"SELECT count(*) FROM {t}"))  # noqa: S608 - fixed names
            for t in ("entries", "copies", "stories", "flags", "alerts")
        }


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_local(server: CorpusServer, work: Path, batch_size: int = 100) -> dict:
    home = work / "local"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSMON_"))}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "dags"),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(REPO / "plugins"),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
        NEWSMON_DB_URL=f"sqlite:///{home / 'newsmon.db'}",
        NEWSMON_FEEDS_FILE=str(server.write_feeds_yaml(home / "feeds.yaml")),
        NEWSMON_CONFIG_DIR=str(REPO / "config"),
        NEWSMON_HOST_DELAY="0",
        NEWSMON_BATCH_SIZE=str(batch_size),
        NEWSMON_DISCOVERY_FILE="off",  # the generated feeds are the whole world: no searches of the real web
    )
    subprocess.run([BIN / "airflow", "db", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([BIN / "newsmon", "db", "upgrade"], env=env, check=True, capture_output=True)
    start, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    proc = subprocess.Popen(
        [BIN / "python", REPO / "bench" / "dag_test.py", "news_monitor"],  # `airflow dags test`, API started
        env=env,
        stdout=open(home / "run.log", "w"),  # noqa: SIM115 - lives as long as the process
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    mem = PeakMemory(lambda: [proc.pid])
    mem.start()
    proc.wait()
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu + _children_cpu() - children
    peak = mem.stop()
    if proc.returncode:
        raise SystemExit(f"local run failed, see {home / 'run.log'}")
    api_start = re.search(r"in-process Execution API started in ([0-9.]+) s", (home / "run.log").read_text())
    import sqlite3

    with sqlite3.connect(home / "airflow.db", detect_types=0) as conn:
        run = conn.execute("SELECT state, start_date, end_date FROM dag_run").fetchone()
        rows = conn.execute(
            "SELECT task_id, scheduled_dttm, queued_dttm, start_date, end_date FROM task_instance"
        ).fetchall()

    def parse(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    rows = [(t, *(parse(v) for v in times)) for t, *times in rows]
    tasks = task_seconds([(t, s, e) for t, _sc, _q, s, e in rows])
    run_start, run_end = parse(run[1]), parse(run[2])
    assert run_start and run_end
    run_wall = (run_end - run_start).total_seconds()
    return {
        "state": run[0],
        "process_wall": wall,
        "process_cpu": cpu,
        "api_start": float(api_start.group(1)) if api_start else float("nan"),
        "run_wall": run_wall,
        "tasks": tasks,
        "timeline": timeline(rows, run_start, run_end),
        "peak_pss": peak,
        "counts": newsmon_counts(env["NEWSMON_DB_URL"]),
    }


def run_celery(server: CorpusServer, work: Path, concurrency: int, batch_size: int = 100) -> dict:
    import psycopg

    home = work / "celery"
    home.mkdir()
    tag = uuid.uuid4().hex[:8]
    af_db, nm_db = f"newsmon_bench_af_{tag}", f"newsmon_bench_nm_{tag}"
    redis = LocalRedis()
    redis_url = redis.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSMON_"))}
    env.update(
        PROD_HOME=str(home),
        PROD_AIRFLOW_DB=af_db,
        PROD_NEWSMON_DB=nm_db,
        PROD_REDIS_URL=redis_url,
        PROD_API_PORT=str(free_port()),
        PROD_LOG_PORT_BASE=str(free_port()),
        PROD_WORKER_CONCURRENCY=str(concurrency),
        NEWSMON_FEEDS_FILE=str(server.write_feeds_yaml(home / "feeds.yaml")),
        NEWSMON_CONFIG_DIR=str(REPO / "config"),
        NEWSMON_HOST_DELAY="0",
        NEWSMON_BATCH_SIZE=str(batch_size),
        NEWSMON_DISCOVERY_FILE="off",  # the generated feeds are the whole world: no searches of the real web
    )
    script = str(REPO / "scripts" / "prod.sh")
    meta = f"{PG_ADMIN.rsplit('/', 1)[0]}/{af_db}"
    mem = None
    try:
        t0 = time.perf_counter()
        subprocess.run([script, "start"], env=env, check=True, capture_output=True, timeout=300)
        started = time.perf_counter() - t0

        def named_groups() -> dict[str, int]:
            return {p.stem: int(p.read_text()) for p in (home / "run").glob("*.pid")}

        def groups():
            return list(named_groups().values())

        def component_cpu() -> dict[str, float]:
            # Each component is a session of its own (scripts/prod.sh): the trees do not overlap, and the
            # stack's CPU is their sum.
            return {name: cpu_of(tree(pid)) for name, pid in named_groups().items()}

        parts_before = component_cpu()
        mem = PeakMemory(groups)
        mem.start()
        deadline = time.monotonic() + 1800
        while True:
            with psycopg.connect(meta) as conn:
                run = conn.execute(
                    "SELECT state, start_date, end_date, run_id FROM dag_run WHERE dag_id = 'news_monitor'"
                ).fetchone()
            if run and run[0] in ("success", "failed"):
                break
            if time.monotonic() > deadline:
                raise SystemExit("celery run did not finish in 30 min")
            time.sleep(1)
        peak = mem.stop()
        parts = {name: secs - parts_before.get(name, 0.0) for name, secs in component_cpu().items()}
        cpu = sum(parts.values())
        idle = pss_of(set().union(*(tree(g) for g in groups())))  # the stack at rest, after the run
        with psycopg.connect(meta) as conn:
            rows = conn.execute(
                "SELECT task_id, scheduled_dttm, queued_dttm, start_date, end_date FROM task_instance"
                " WHERE dag_id = 'news_monitor'"
            ).fetchall()
            queued = conn.execute(
                "SELECT avg(extract(epoch from start_date - queued_dttm)) FROM task_instance "
                "WHERE dag_id = 'news_monitor' AND queued_dttm IS NOT NULL"
            ).fetchone()[0]
        counts = newsmon_counts(f"postgresql+psycopg://postgres@127.0.0.1:5432/{nm_db}")
        return {
            "state": run[0],
            "run_wall": (run[2] - run[1]).total_seconds(),
            "start_stack": started,
            "stack_cpu": cpu,
            "component_cpu": parts,
            "tasks": task_seconds([(t, s, e) for t, _sc, _q, s, e in rows]),
            "timeline": timeline(rows, run[1], run[2]),
            "queue_wait": float(queued or 0),
            "idle_pss": idle,
            "peak_pss": peak,
            "counts": counts,
        }
    finally:
        if mem is not None and mem.is_alive():
            mem.stop()
        subprocess.run([script, "stop"], env=env, capture_output=True, timeout=120)
        redis.stop()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for name in (af_db, nm_db):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ------------------------------------------------------------------------------------------------ report


def enabled_topics() -> int:
    """How many topics flag_topics scores every copy against (the shipped, enabled ones)."""
    sys.path.insert(0, str(REPO / "include"))
    from newsmon.topics.model import load_topics

    return sum(t.enabled for t in load_topics(REPO / "config" / "topics"))


def targets(result: dict, floor_result: dict, n_articles: int, ratio_bar: float) -> list[str]:
    """The issue's bars, each measured in this run: the run against the floor, fold per article, flag per
    article and topic, prepare when the schema is current (it was made by `db upgrade` before the run)."""
    tasks = result["tasks"]
    n_topics = enabled_topics()
    measured = [
        ("run / floor", result["run_wall"] / floor_result["wall"], ratio_bar, "x"),
        ("fold per article", tasks["fold_stories"][1] / n_articles * 1000, 5.0, " ms"),
        (
            f"flag per article per topic ({n_topics})",
            tasks["flag_topics"][1] / n_articles / n_topics * 1000,
            1.0,
            " ms",
        ),
        ("prepare", tasks["prepare"][1], 1.0, " s"),
    ]
    return [
        f"   target {what:34s} {value:7.2f}{unit:3s} (bar {bar:g}{unit.strip()}): "
        + ("met" if value <= bar else "NOT met")
        for what, value, bar, unit in measured
    ]


def report(name: str, result: dict, floor_result: dict, n_articles: int, ratio_bar: float) -> None:
    wall = result["run_wall"]
    print(f"\n== {name}: run {result['state']}, {result['counts']}")
    print(
        f"   DAG run wall {wall:7.1f} s  -> {n_articles / wall * 60:7.0f} articles/min"
        f"   ({wall / floor_result['wall']:.2f}x floor)"
    )
    if "process_wall" in result:
        print(
            f"   whole `airflow dags test` process {result['process_wall']:.1f} s (CLI start-up included;"
            f" of it {result['api_start']:.1f} s the in-process Execution API's start, before the run)"
        )
        print(
            f"   CPU {result['process_cpu']:.1f} s (that process and the corpus server, like the floor's"
            f" {floor_result['cpu']:.1f} s): {result['process_cpu'] / floor_result['cpu']:.2f}x the floor's"
        )
    if "start_stack" in result:
        print(
            f"   stack start {result['start_stack']:.1f} s;"
            f" mean queue wait per task {result['queue_wait']:.2f} s"
        )
        print(
            f"   CPU {result['stack_cpu']:.1f} s (the Airflow components and task processes during the run;"
            f" not PostgreSQL's or Redis's): {result['stack_cpu'] / floor_result['cpu']:.2f}x the floor's"
        )
        parts = sorted(result["component_cpu"].items(), key=lambda kv: -kv[1])
        print(
            "   CPU by component (its processes and the task processes it started): "
            + ", ".join(f"{name} {secs:.1f} s" for name, secs in parts)
        )
    for task_id, (n, secs) in sorted(result["tasks"].items(), key=lambda kv: -kv[1][1]):
        print(f"   {task_id:16s} x{n:<3d} {secs:8.1f} task-s")
    print("\n".join(result["timeline"]))
    print("\n".join(targets(result, floor_result, n_articles, ratio_bar)))
    mem = f"   memory: peak {result['peak_pss'] / 2**20:.0f} MiB PSS (sum over all processes)"
    if "idle_pss" in result:
        mem += f", after the run {result['idle_pss'] / 2**20:.0f} MiB"
    print(mem)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--mode", choices=("local", "celery", "both"), default="both")
    parser.add_argument("--concurrency", type=int, default=2, help="task slots per Celery worker")
    parser.add_argument(
        "--batch-size", type=int, default=200, help="NEWSMON_BATCH_SIZE: entries per mapped fetch_batch task"
    )
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="run in DIR and keep it (homes, databases, the run's log)"
    )
    args = parser.parse_args(argv)

    server = CorpusServer(build_corpus(args.feeds, args.pages))
    n_articles = args.feeds * args.pages
    print(f"corpus: {args.feeds} feeds x {args.pages} pages = {n_articles} articles")
    print("        en/ru/de, one page in six a syndicated copy of another feed's article")
    print(f"machine: {os.cpu_count()} cores; politeness off (NEWSMON_HOST_DELAY=0), batch {args.batch_size}")
    fl = floor(server)
    print(
        f"\n== floor (feedparser + trafilatura, one process): {fl['wall']:.1f} s, CPU {fl['cpu']:.1f} s, "
        f"{fl['articles'] / fl['wall'] * 60:.0f} articles/min ({fl['articles']} extracted)"
    )
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True)
            work = args.keep
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="newsmon-bench-")))
        if args.mode in ("local", "both"):
            result = run_local(server, work, args.batch_size)
            report("local: airflow dags test, SQLite", result, fl, n_articles, ratio_bar=2.0)
        if args.mode in ("celery", "both"):
            result = run_celery(server, work, args.concurrency, args.batch_size)
            report(
                f"celery: 2 workers x {args.concurrency}, PostgreSQL + Redis",
                result,
                fl,
                n_articles,
                ratio_bar=4.0,
            )
    server.stop()
    print(json.dumps({"floor_s": round(fl["wall"], 2)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
