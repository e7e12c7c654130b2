"""Benchmark newsmon's article extraction against plain trafilatura on an extraction corpus.

Usage: python bench/extract.py CORPUS_DIR [--limit N] [--fetch-batch [--pg URL]]

CORPUS_DIR holds ``ground-truth.json`` ({id: {"articleBody", "url"}}) and ``html/<id>.html.gz``
(the layout of the Article Extraction Benchmark). Scoring follows that benchmark's published
metric: tokens are ``\\w+`` matches, shingles are 4-grams counted with multiplicity, each page's
TP/FP/FN are normalised to sum 1, precision (over pages that predicted something) and recall
(over pages with a truth) are averaged over pages, and F1 is computed from the two means.

Each extractor runs in its own child process so that its peak RSS is its own; pages are
decompressed before the clock starts and one warm-up page (lazy model/stoplist loading) is
excluded from the timing. Also printed: how many pages still contain a leftover line from an
independent check list (calls to action, loading/back-to/share/cookie lines, credits, attribution).

``--fetch-batch`` times the pipeline's ``fetch_batch`` instead: the corpus pages served by a server on
127.0.0.1 (all under one host, the worst case for the per-site memory: one site, every line counted),
fetched in batches into a fresh SQLite database (and PostgreSQL with ``--pg``), once with the
database-backed boilerplate memory and once with its two store calls replaced by no-ops.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

_TOKEN = re.compile(r"\w+", re.UNICODE)
METHODS = ("trafilatura", "newsmon", "newsmon-nomemory")

# Our own check list of leftover lines (independent of the cleaner's rules): a line of the output
# matching one of these is furniture that should not have survived.
LEFTOVERS = {
    "signup": re.compile(
        r"^\W*(?:register|sign up|subscribe|join)(?: now| today| here)?\W*$|"
        r"sign up (?:for|to) (?:our|the) .*newsletter",
        re.I,
    ),
    "loading": re.compile(r"^\W*(?:loading|please wait)\b.{0,30}$", re.I),
    "back_to": re.compile(r"^\W*back to\b.{0,40}$", re.I),
    "share": re.compile(r"^\W*(?:share (?:this|on)|like this (?:story|article)\?|share it with)\b", re.I),
    "cookie": re.compile(r"\bcookies?\b.{0,60}\b(?:accept|consent|use|policy)\b", re.I),
    "credit": re.compile(r"^.{0,120}(?:©|\(c\) |photo credit|image credit|getty images\s*$)", re.I),
    "read_more": re.compile(r"^\W*(?:read more|see more|related|don'?t miss)\s*[:|]?", re.I),
    "attribution": re.compile(r"^\W*\(?source\s*:|originally (?:appeared|published) (?:on|in|by)", re.I),
}


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_scores(pred: str, true: str) -> tuple[float, float, float]:
    p, t = shingles(pred), shingles(true)
    tp = sum((p & t).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def summarise(scores: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    def precision(tp: float, fp: float, fn: float) -> float:
        if fp == fn == 0:
            return 1.0
        return 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp: float, fp: float, fn: float) -> float:
        if fp == fn == 0:
            return 1.0
        return 0.0 if tp == fn == 0 else tp / (tp + fn)

    ps = [precision(*s) for s in scores if s[0] + s[1] > 0]
    rs = [recall(*s) for s in scores if s[0] + s[2] > 0]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load_pages(corpus: Path, limit: int | None) -> tuple[dict[str, dict], dict[str, bytes]]:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    pages = {i: gzip.decompress((corpus / "html" / f"{i}.html.gz").read_bytes()) for i in ids}
    return {i: truth[i] for i in ids}, pages


def worker(method: str, corpus: Path, limit: int | None) -> None:
    """Child process: extract every page with ``method`` and print outputs + figures as JSON."""
    truth, pages = load_pages(corpus, limit)
    ids = list(pages)
    if method == "trafilatura":
        import trafilatura

        def run(page_id: str) -> str:
            return trafilatura.extract(pages[page_id], url=truth[page_id]["url"]) or ""
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include"))
        from newsmon.extract.article import ExtractError, extract_article
        from newsmon.extract.boilerplate import BoilerplateMemory

        memory = BoilerplateMemory() if method == "newsmon" else None

        def run(page_id: str) -> str:
            try:
                return extract_article(pages[page_id], url=truth[page_id]["url"], boilerplate=memory).text
            except ExtractError:
                return ""

    run(ids[0])  # warm-up: lazy imports and model loading are not per-page costs
    if method != "trafilatura":
        from newsmon.extract.language import detect_language

        detect_language("a warm-up sentence that loads the language model once")
    outputs = {}
    start = time.perf_counter()
    for page_id in ids:
        outputs[page_id] = run(page_id)
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump({"outputs": outputs, "elapsed": elapsed, "peak_mib": peak_kib / 1024}, sys.stdout)


def leftover_pages(outputs: dict[str, str]) -> tuple[int, Counter[str]]:
    pages = 0
    kinds: Counter[str] = Counter()
    for text in outputs.values():
        hit = False
        for line in text.splitlines():
            for kind, pattern in LEFTOVERS.items():
                if pattern.search(line.strip()):
                    kinds[kind] += 1
                    hit = True
        pages += hit
    return pages, kinds


def bench_fetch_batch(corpus: Path, limit: int | None, db_urls: list[str], batch: int = 25) -> None:
    """Seconds per page of ``fetch_batch`` with and without the persisted memory, per database."""
    import contextlib
    import tempfile
    import threading
    from datetime import UTC, datetime
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include"))
    import logging

    from newsmon import pipeline
    from newsmon.config.settings import load_settings
    from newsmon.store import boilerplate as store
    from newsmon.store.db import session_scope, upgrade
    from newsmon.store.models import Entry, Feed

    logging.disable(logging.WARNING)
    _, pages = load_pages(corpus, limit)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.strip("/"))
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    real = (store.load_site, store.record_pages)
    spent = {"store": 0.0}

    def timed(fn):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent["store"] += time.perf_counter() - t0

        return wrapper

    now = datetime.now(UTC)
    print(f"fetch_batch over {len(pages)} pages of one host, batches of {batch}:")
    try:
        for db_url in db_urls:
            for memory_on in (False, True, False, True):  # interleaved: the second of each counts
                if db_url.startswith("sqlite"):
                    url = f"sqlite:///{tempfile.mkdtemp(prefix='newsmon-bench-')}/b.db"
                else:
                    url = _fresh_pg(db_url)
                upgrade(url)
                with session_scope(url) as s:
                    feed = Feed(
                        url=f"{base}/feed.xml", name="bench", allow_private=True, created_at=now, tags=[]
                    )
                    s.add(feed)
                    s.flush()
                    entries = [
                        Entry(
                            feed_id=feed.id,
                            key=i,
                            link=f"{base}/{i}",
                            title="",
                            summary="",
                            first_seen_at=now,
                        )
                        for i in pages
                    ]
                    s.add_all(entries)
                    s.flush()
                    ids = [e.id for e in entries]
                if memory_on:
                    store.load_site, store.record_pages = timed(real[0]), timed(real[1])
                else:
                    store.load_site, store.record_pages = (lambda *a, **k: None), (lambda *a, **k: 0)
                spent["store"] = 0.0
                settings = load_settings().with_(db_url=url, host_delay=0.0, host_concurrency=8)
                start = time.perf_counter()
                for i in range(0, len(ids), batch):
                    pipeline.fetch_batch(settings, ids[i : i + batch], now=now)
                elapsed = time.perf_counter() - start
                sizes = ""
                if memory_on:
                    with session_scope(url) as s:
                        rows = store.site_sizes(s, "127.0.0.1")
                    in_store = 1000 * spent["store"] / len(ids)
                    sizes = (
                        f"of which load+record SQL {in_store:.1f} ms/page; (pages, lines, log rows) = {rows}"
                    )
                if not url.startswith("sqlite"):
                    _drop_pg(db_url, url)
                label = "with memory" if memory_on else "memory off "
                print(f"  {url.split(':')[0]:<18} {label} {1000 * elapsed / len(ids):7.1f} ms/page  {sizes}")
    finally:
        store.load_site, store.record_pages = real
        server.shutdown()
        server.server_close()


def _fresh_pg(admin_url: str) -> str:
    import uuid

    import psycopg

    name = f"newsmon_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"


def _drop_pg(admin_url: str, url: str) -> None:
    import psycopg

    from newsmon.store.db import get_engine

    get_engine(url).dispose()
    with psycopg.connect(admin_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (by id)")
    parser.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--dump", type=Path, help="write per-page outputs and scores as JSON here")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="timing rounds, extractors interleaved; each one's best time counts",
    )
    parser.add_argument("--fetch-batch", action="store_true", help="time fetch_batch with/without the memory")
    parser.add_argument(
        "--pg", help="with --fetch-batch: also on PostgreSQL (a URL whose server may create DBs)"
    )
    args = parser.parse_args()
    if args.fetch_batch:
        bench_fetch_batch(args.corpus, args.limit, ["sqlite"] + ([args.pg] if args.pg else []))
        return
    if args.worker:
        worker(args.worker, args.corpus, args.limit)
        return

    truth, _ = load_pages(args.corpus, args.limit)
    results: dict[str, dict] = {}
    # Interleaved rounds, best time kept: on a shared machine a single run mostly measures the noise.
    for _round in range(max(1, args.rounds)):
        for method in METHODS:
            cmd = [sys.executable, __file__, str(args.corpus), "--worker", method]
            if args.limit:
                cmd += ["--limit", str(args.limit)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            res = json.loads(done.stdout)
            if method not in results:
                results[method] = res
            else:
                results[method]["elapsed"] = min(results[method]["elapsed"], res["elapsed"])
                results[method]["peak_mib"] = max(results[method]["peak_mib"], res["peak_mib"])

    n = len(truth)
    print(f"corpus: {args.corpus} ({n} pages)")
    print(
        f"{'extractor':<18} {'precision':>9} {'recall':>7} {'F1':>7} {'pages/s':>8} {'peak RSS':>9} "
        f"{'leftover pages':>15}"
    )
    base_speed = None
    dump = {}
    for method, res in results.items():
        scores = [page_scores(res["outputs"][i], truth[i]["articleBody"]) for i in truth]
        p, r, f1 = summarise(scores)
        speed = n / res["elapsed"]
        base_speed = base_speed or speed
        left, kinds = leftover_pages(res["outputs"])
        print(
            f"{method:<18} {p:9.4f} {r:7.4f} {f1:7.4f} {speed:8.1f} {res['peak_mib']:7.0f}MiB {left:15d}"
            f"   {dict(kinds) or ''}"
        )
        dump[method] = {
            i: {"text": res["outputs"][i], "tp_fp_fn": s} for i, s in zip(truth, scores, strict=True)
        }
    speed_ratio = (n / results["newsmon"]["elapsed"]) / base_speed
    print(f"newsmon speed relative to plain trafilatura: {speed_ratio:.2f}x")
    if args.dump:
        args.dump.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
