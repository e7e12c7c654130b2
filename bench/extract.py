"""Benchmark newsmon's article extraction against trafilatura on an extraction corpus.

Usage: python bench/extract.py CORPUS_DIR [--format aeb|wcxb|snippets] [--split dev] [--kind article]
       [--limit N] [--rounds 3] [--dump FILE] [--fetch-batch [--pg URL]]

Three corpus layouts are read (``--format``, else recognised from the files):

- ``aeb``: ``ground-truth.json`` ({id: {"articleBody", "url"}}) and ``html/<id>.html.gz`` (the
  Article Extraction Benchmark).
- ``wcxb``: ``[SPLIT/]ground-truth/<id>.json`` (``ground_truth.main_content``, ``with``, ``without``, a
  page type) and ``[SPLIT/]html/<id>.html.gz`` (the Web Content eXtraction Benchmark; ``--split`` picks
  dev or test, ``--kind`` one page type).
- ``snippets``: ``evaldata.json`` ({url: {"file", "with", "without"}}) and the HTML files in ``eval/`` or
  ``cache/`` beside it (trafilatura's evaluation corpus and corpora built like it).

Two metrics, each where the corpus has what it needs:

- full text (aeb, wcxb): the AEB metric. Tokens are ``\\w+`` matches, shingles are 4-grams counted with
  multiplicity, each page's TP/FP/FN are normalised to sum 1, precision (over pages that predicted
  something) and recall (over pages with a truth) are averaged over pages, F1 from the two means.
- snippets (snippets, wcxb): text that must be kept ("with") found in the output is a true positive,
  boilerplate that must go ("without") found in it a false positive; counts are summed over the corpus
  (whitespace-normalised substring match, as trafilatura's evaluation does).

Rows: trafilatura with its default settings, trafilatura with the settings newsmon uses (no comments,
tables on: the comparator of record), newsmon with and without the per-site boilerplate memory, and
resiliparse's main-content extraction when it is installed (a fast pre-pass candidate). Each extractor
runs in its own child process (its peak RSS is its own); pages are read before the clock starts and one
warm-up page (lazy imports, model loading) is excluded. ``--rounds`` interleaves the extractors; speed
is quoted per round as newsmon's pages/s over trafilatura-same's in that round (the machine is shared:
only a ratio taken in the same round means anything), with the spread over rounds.

Also printed: pages newsmon left empty that trafilatura-same extracted; pages still containing a line
from an independent check list of leftovers; and for every cleaning rule of newsmon, what it removed:
lines, the share of the ground truth those lines held (recall the rule lost), and for snippet corpora
how many must-keep and must-go snippets it took out.

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
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"\s+")
METHODS = ("trafilatura-default", "trafilatura-same", "newsmon", "newsmon-nomemory", "resiliparse")
COMPARATOR = "trafilatura-same"
SAME_SETTINGS = {"include_comments": False, "include_tables": True}  # what newsmon runs trafilatura with

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


# --- corpora ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a corpus with whatever ground truth the corpus gives."""

    id: str
    url: str | None
    html: bytes
    text: str | None = None  # the complete main text
    keep: tuple[str, ...] = ()  # snippets a correct extraction contains
    drop: tuple[str, ...] = ()  # snippets of boilerplate it must not contain
    kind: str | None = None  # page type, when labelled


def detect_format(corpus: Path) -> str:
    if (corpus / "ground-truth.json").is_file() and (corpus / "html").is_dir():
        return "aeb"
    if (corpus / "evaldata.json").is_file() or (corpus / "tests" / "evaldata.json").is_file():
        return "snippets"
    if (corpus / "ground-truth").is_dir() or (corpus / "dev" / "ground-truth").is_dir():
        return "wcxb"
    raise SystemExit(f"{corpus}: no known corpus layout (see --help)")


def _load_aeb(corpus: Path, split: str | None) -> list[Page]:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page(
            id=i,
            url=truth[i].get("url"),
            html=gzip.decompress((corpus / "html" / f"{i}.html.gz").read_bytes()),
            text=truth[i].get("articleBody") or "",
        )
        for i in sorted(truth)
    ]


def _load_wcxb(corpus: Path, split: str | None) -> list[Page]:
    root = corpus / (split or "dev") if not (corpus / "ground-truth").is_dir() else corpus
    pages = []
    for path in sorted((root / "ground-truth").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        gt = data.get("ground_truth") or {}
        kind = ((data.get("_internal") or {}).get("page_type") or {}).get("primary")
        html = root / "html" / f"{path.stem}.html.gz"
        if not html.is_file():
            continue
        pages.append(
            Page(
                id=path.stem,
                url=data.get("url"),
                html=gzip.decompress(html.read_bytes()),
                text=gt.get("main_content") or "",
                keep=tuple(gt.get("with") or ()),
                drop=tuple(gt.get("without") or ()),
                kind="collection" if kind == "category" else kind,
            )
        )
    return pages


def _load_snippets(corpus: Path, split: str | None) -> list[Page]:
    base = corpus if (corpus / "evaldata.json").is_file() else corpus / "tests"
    data = json.loads((base / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url in sorted(data):
        item = data[url]
        found = next(
            (base / sub / item["file"] for sub in ("cache", "eval") if (base / sub / item["file"]).is_file()),
            None,
        )
        if found is None:
            continue
        pages.append(
            Page(
                id=item["file"],
                url=url if url.startswith("http") else None,
                html=found.read_bytes(),
                keep=tuple(item.get("with") or ()),
                drop=tuple(item.get("without") or ()),
            )
        )
    return pages


LOADERS: dict[str, Callable[[Path, str | None], list[Page]]] = {
    "aeb": _load_aeb,
    "wcxb": _load_wcxb,
    "snippets": _load_snippets,
}


def load_corpus(args: argparse.Namespace) -> list[Page]:
    fmt = args.format or detect_format(args.corpus)
    pages = LOADERS[fmt](args.corpus, args.split)
    if args.kind:
        pages = [p for p in pages if p.kind == args.kind]
    return pages[: args.limit] if args.limit else pages


# --- metrics -------------------------------------------------------------------------------------


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


def norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def snippet_counts(pred: str, page: Page) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) of one page: must-keep snippets found, must-go snippets found, and the rest."""
    text = norm(pred)
    tp = sum(1 for s in page.keep if norm(s) in text)
    fp = sum(1 for s in page.drop if norm(s) in text)
    return tp, fp, len(page.keep) - tp, len(page.drop) - fp


def snippet_scores(counts: list[tuple[int, int, int, int]]) -> tuple[float, float, float, float]:
    tp, fp, fn, tn = (sum(c[i] for c in counts) for i in range(4))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    acc = (tp + tn) / (tp + fp + fn + tn) if counts else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), acc


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


# --- extractors (child processes) ------------------------------------------------------------------


def _include_path() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include"))


@dataclass
class Extractor:
    """One extractor of the comparison: ``run(page)`` gives its text; newsmon also records why."""

    run: Callable[[Page], str]
    removed: dict[str, list[tuple[str, str]]]
    errors: dict[str, str]
    reset: Callable[[], None]


def make_extractor(method: str) -> Extractor:
    removed: dict[str, list[tuple[str, str]]] = {}
    errors: dict[str, str] = {}
    if method.startswith("trafilatura"):
        import trafilatura

        settings = {} if method == "trafilatura-default" else SAME_SETTINGS

        def run(page: Page) -> str:
            return trafilatura.extract(page.html, url=page.url, **settings) or ""

        return Extractor(run, removed, errors, lambda: None)
    if method == "resiliparse":
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.encoding import bytes_to_str, detect_encoding

        def run(page: Page) -> str:
            return extract_plain_text(bytes_to_str(page.html, detect_encoding(page.html)), main_content=True)

        return Extractor(run, removed, errors, lambda: None)
    _include_path()
    from newsmon.extract.article import ExtractError, extract_article
    from newsmon.extract.boilerplate import BoilerplateMemory
    from newsmon.extract.language import detect_language

    memory = BoilerplateMemory() if method == "newsmon" else None
    detect_language("a warm-up sentence that loads the language model once")

    def run(page: Page) -> str:
        try:
            extracted = extract_article(
                page.html, url=page.url or "http://corpus.invalid/", boilerplate=memory
            )
        except ExtractError as exc:
            errors[page.id] = exc.reason
            return ""
        removed[page.id] = [(r.line, r.rule.value) for r in extracted.removed]
        return extracted.text

    def reset() -> None:
        removed.clear()
        errors.clear()
        if memory is not None:
            memory._sites.clear()  # the timed pass starts with an empty memory too

    return Extractor(run, removed, errors, reset)


def worker(method: str, args: argparse.Namespace) -> None:
    """Child process: extract every page with ``method``; print outputs + figures as JSON."""
    pages = load_corpus(args)
    extractor = make_extractor(method)
    extractor.run(pages[0])  # warm-up: lazy imports and model loading are not per-page costs
    extractor.reset()
    outputs = {}
    start = time.perf_counter()
    for page in pages:
        outputs[page.id] = extractor.run(page)
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump(
        {
            "outputs": outputs,
            "elapsed": elapsed,
            "peak_mib": peak_kib / 1024,
            "removed": extractor.removed,
            "errors": extractor.errors,
        },
        sys.stdout,
    )


def timing_worker(args: argparse.Namespace) -> None:
    """Child process: newsmon and trafilatura-same timed page by page, alternately, for ``--rounds``.

    On a shared machine the load changes from second to second; timing the two on the same page one
    right after the other (in alternating order) exposes both to the same load, so their ratio holds.
    """
    pages = load_corpus(args)
    methods = (COMPARATOR, "newsmon")
    extractors = {m: make_extractor(m) for m in methods}
    for extractor in extractors.values():
        extractor.run(pages[0])
    rounds = []
    for r in range(max(1, args.rounds)):
        spent = dict.fromkeys(methods, 0.0)
        extractors["newsmon"].reset()
        for n, page in enumerate(pages):
            order = methods if (n + r) % 2 == 0 else methods[::-1]
            for method in order:
                start = time.perf_counter()
                extractors[method].run(page)
                spent[method] += time.perf_counter() - start
        rounds.append(spent)
    json.dump(rounds, sys.stdout)


def available_methods() -> list[str]:
    try:
        import resiliparse  # noqa: F401 - only whether it is installed
    except ImportError:
        return [m for m in METHODS if m != "resiliparse"]
    return list(METHODS)


# --- report --------------------------------------------------------------------------------------


def rule_report(
    pages: list[Page], removed: dict[str, list[tuple[str, str]]], outputs: dict[str, str]
) -> None:
    """Per cleaning rule: lines removed, recall lost on the full-text truth, snippets taken out."""
    by_page = {p.id: p for p in pages}
    lines: Counter[str] = Counter()
    touched: Counter[str] = Counter()
    lost: defaultdict[str, float] = defaultdict(float)
    keep_lost: Counter[str] = Counter()
    drop_removed: Counter[str] = Counter()
    with_text = [p for p in pages if p.text]
    for page_id, items in removed.items():
        page = by_page[page_id]
        kept = norm(outputs.get(page_id, ""))
        per_rule: defaultdict[str, list[str]] = defaultdict(list)
        for line, rule in items:
            per_rule[rule].append(line)
        truth = shingles(page.text) if page.text else None
        kept_sh = shingles(outputs.get(page_id, "")) if truth else None
        for rule, rule_lines in per_rule.items():
            lines[rule] += len(rule_lines)
            touched[rule] += 1
            if truth:
                gone = shingles("\n".join(rule_lines)) & truth
                gone -= kept_sh  # text also kept elsewhere on the page was not lost
                lost[rule] += sum(gone.values()) / max(1, sum(truth.values()))
            joined = [norm(x) for x in rule_lines]
            for snippet in page.keep:
                s = norm(snippet)
                if s not in kept and any(s in x or (len(x) > 10 and x in s) for x in joined):
                    keep_lost[rule] += 1
            for snippet in page.drop:
                s = norm(snippet)
                if s not in kept and any(s in x for x in joined):
                    drop_removed[rule] += 1
    if not lines:
        print("cleaning rules: nothing removed")
        return
    print("cleaning rules (newsmon, per-site memory on):")
    head = f"  {'rule':<16} {'lines':>6} {'pages':>6}"
    if with_text:
        head += f" {'recall lost':>12}"
    if any(p.keep for p in pages):
        head += f" {'keep-snippets lost':>19} {'drop-snippets removed':>22}"
    print(head)
    for rule, count in lines.most_common():
        row = f"  {rule:<16} {count:6d} {touched[rule]:6d}"
        if with_text:
            row += f" {lost[rule] / len(with_text):12.5f}"
        if any(p.keep for p in pages):
            row += f" {keep_lost[rule]:19d} {drop_removed[rule]:22d}"
        print(row)


def report(
    args: argparse.Namespace, pages: list[Page], results: dict[str, dict], rounds: list[dict[str, float]]
) -> None:
    n = len(pages)
    has_text = any(p.text for p in pages)
    has_snippets = any(p.keep or p.drop for p in pages)
    fmt = args.format or detect_format(args.corpus)
    kinds = Counter(p.kind for p in pages if p.kind)
    print(f"corpus: {args.corpus} ({fmt}{'/' + args.split if args.split else ''}, {n} pages)")
    if kinds:
        print("  page types: " + ", ".join(f"{k} {c}" for k, c in kinds.most_common()))
    head = f"{'extractor':<20}"
    if has_text:
        head += f" {'P':>7} {'R':>7} {'F1':>7}"
    if has_snippets:
        head += f" {'snipP':>7} {'snipR':>7} {'snipF1':>7} {'acc':>6}"
    head += f" {'pages/s*':>8} {'peak RSS':>9} {'empty':>6} {'leftover':>9}"
    print(head)
    dump = {}
    comparator = results[COMPARATOR]["outputs"] if COMPARATOR in results else {}
    for method, res in results.items():
        outputs = res["outputs"]
        row = f"{method:<20}"
        if has_text:
            scores = [page_scores(outputs[p.id], p.text or "") for p in pages]
            p_, r_, f1 = summarise(scores)
            row += f" {p_:7.4f} {r_:7.4f} {f1:7.4f}"
        if has_snippets:
            sp, sr, sf, acc = snippet_scores([snippet_counts(outputs[p.id], p) for p in pages])
            row += f" {sp:7.4f} {sr:7.4f} {sf:7.4f} {acc:6.3f}"
        empty = sum(1 for p in pages if not outputs[p.id].strip())
        left, _ = leftover_pages(outputs)
        row += f" {n / res['elapsed']:8.1f} {res['peak_mib']:7.0f}MiB {empty:6d} {left:9d}"
        print(row)
        dump[method] = {p.id: outputs[p.id] for p in pages}
    print("* one pass each, in separate processes, one after the other: compare speed below, not here")
    if rounds:
        ratios = [r[COMPARATOR] / r["newsmon"] for r in rounds]
        speeds = ", ".join(
            f"{m} {statistics.median(n / r[m] for r in rounds):.1f}" for m in (COMPARATOR, "newsmon")
        )
        print(
            f"speed, page by page alternately in one process, {len(rounds)} rounds: pages/s {speeds}; "
            f"newsmon/{COMPARATOR} median {statistics.median(ratios):.2f}x "
            f"(min {min(ratios):.2f}, max {max(ratios):.2f}; rounds {', '.join(f'{x:.2f}' for x in ratios)})"
        )
    nm = results["newsmon"]
    emptied = [p.id for p in pages if comparator.get(p.id, "").strip() and not nm["outputs"][p.id].strip()]
    reasons = Counter(nm["errors"].get(i, "no text") for i in emptied)
    print(f"pages newsmon left empty that {COMPARATOR} extracted: {len(emptied)} {dict(reasons) or ''}")
    if emptied:
        print("  " + ", ".join(emptied[:20]) + (" ..." if len(emptied) > 20 else ""))
    if kinds and has_text and comparator:
        print("F1 per page type (full-text metric): " + ", ".join(f"{m}" for m in (COMPARATOR, "newsmon")))
        for kind, count in kinds.most_common():
            sub = [p for p in pages if p.kind == kind]
            cells = []
            for method in (COMPARATOR, "newsmon"):
                _, _, f1 = summarise(
                    [page_scores(results[method]["outputs"][p.id], p.text or "") for p in sub]
                )
                cells.append(f"{f1:.4f}")
            print(f"  {kind:<14} {count:5d}  " + "  ".join(cells))
    rule_report(pages, nm["removed"], nm["outputs"])
    if args.dump:
        args.dump.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")


# --- fetch_batch timing ----------------------------------------------------------------------------


def bench_fetch_batch(pages_list: list[Page], db_urls: list[str], batch: int = 25) -> None:
    """Seconds per page of ``fetch_batch`` with and without the persisted memory, per database."""
    import contextlib
    import logging
    import tempfile
    import threading
    from datetime import UTC, datetime
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    _include_path()
    from newsmon import pipeline
    from newsmon.config.settings import load_settings
    from newsmon.store import boilerplate as store
    from newsmon.store.db import session_scope, upgrade
    from newsmon.store.models import Entry, Feed

    logging.disable(logging.WARNING)
    pages = {f"p{n}": p.html for n, p in enumerate(pages_list)}

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


# --- main ----------------------------------------------------------------------------------------


def _child(args: argparse.Namespace, worker_name: str, extra: list[str] | None = None) -> Any:
    cmd = [sys.executable, __file__, *corpus_args(args), "--worker", worker_name, *(extra or [])]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{worker_name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def corpus_args(args: argparse.Namespace) -> list[str]:
    out = [str(args.corpus)]
    for flag in ("format", "split", "kind", "limit"):
        value = getattr(args, flag)
        if value:
            out += [f"--{flag}", str(value)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--format", choices=sorted(LOADERS), help="corpus layout (default: recognised)")
    parser.add_argument("--split", help="wcxb: dev (default) or test")
    parser.add_argument("--kind", help="only pages of this type (wcxb: article, forum, product, ...)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--worker", choices=(*METHODS, "timing"), help=argparse.SUPPRESS)
    parser.add_argument("--dump", type=Path, help="write per-page outputs as JSON here")
    parser.add_argument(
        "--methods", nargs="+", choices=METHODS, help="only these extractors (newsmon is needed)"
    )
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
    if args.worker == "timing":
        timing_worker(args)
        return
    if args.worker:
        worker(args.worker, args)
        return
    pages = load_corpus(args)
    if args.fetch_batch:
        bench_fetch_batch(pages, ["sqlite"] + ([args.pg] if args.pg else []))
        return

    results: dict[str, dict] = {}
    for method in args.methods or available_methods():
        results[method] = _child(args, method)
    rounds = _child(args, "timing", ["--rounds", str(args.rounds)]) if args.rounds else []
    report(args, pages, results, rounds)


if __name__ == "__main__":
    main()
