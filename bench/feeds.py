"""Feed parsing and polling benchmark: prints plain figures, asserts nothing.

Part 1 (corpus): every file listed in CORPUS_DIR/manifest.jsonl is parsed by newsmon
(`newsmon.feeds.parse.parse_feed`) and by raw feedparser on the same bytes; entries found per format
and declared encoding, files where either finds 0 entries and why, feeds/s and entries/s.

Part 2 (poll cycle): N feeds (default 500) on a local 127.0.0.1 server running in a separate process;
90% answer 304 to the conditional GET, 10% send a full feed taken from the corpus. Wall time,
per-feed cost, CPU time and peak memory (ru_maxrss) of the polling process. Part 2 runs in a child
process so its peak memory is not inflated by part 1.

    .venv/bin/python bench/feeds.py /work/shared/corpora/feeds [--feeds 500] [--workers 8] [--part both]

Part 3 (fairness, issue #15): one feed of 20,000 items among 100 ordinary feeds, generated and served
on 127.0.0.1 by ``newsmon.demo.farm`` in another process; the pipeline's poll, plan and fetch stages run
once, as the first run of a fresh install, against a database in WORK (SQLite unless --db). Prints wall
time per stage, peak memory of the pipeline process, and what each feed got fetched in that first run.
All feeds share one loopback host, so the per-host delay defaults to 0 here (--host-delay).

    .venv/bin/python bench/feeds.py --part fairness --work bench/out/fairness \
        [--normal-feeds 100] [--items 10] [--huge-items 20000] [--db URL] [--host-delay 0]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.server
import io
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path


@dataclass
class FileResult:
    file: str
    format: str
    encoding: str
    size: int
    newsmon_entries: int
    newsmon_error: str | None
    newsmon_bozo: str | None
    newsmon_note: str | None
    feedparser_entries: int
    feedparser_bozo: str | None
    title_mismatches: int = 0


def _raw_feedparser(body: bytes, titles: list[str] | None = None) -> tuple[int, str | None]:
    import feedparser

    result = feedparser.parse(io.BytesIO(body))
    exc = result.get("bozo_exception")
    if titles is not None:
        titles.extend(e.get("title", "") for e in result.entries)
    return len(result.entries), (f"{type(exc).__name__}: {exc}"[:120] if result.get("bozo") else None)


def _newsmon_reference(body: bytes, now: datetime) -> None:
    from newsmon.feeds.parse import FeedParseError, parse_feed

    with contextlib.suppress(FeedParseError):
        parse_feed(body, url="https://bench.invalid/x", now=now, fast=False)


def _fast_path_refusal(body: bytes, file: str) -> str | None:
    """Why ``parse_feed`` would not take the lxml path on this capture; None if it would."""
    from newsmon.feeds import fastparse
    from newsmon.feeds.parse import FeedParseError, _cap_items, _defuse_entities, _gunzip_if_needed
    from newsmon.http import charset

    try:
        body = _gunzip_if_needed(body)
    except FeedParseError as exc:
        return str(exc)
    text = charset.decode_body(body, None).text.removeprefix("\ufeff")
    if text.lstrip().startswith("{"):
        return "JSON Feed (its own parser)"
    text, reason = _defuse_entities(text)
    if reason:
        return reason
    text, _ = _cap_items(text)
    raw = fastparse.read(charset.as_utf8_xml(text), f"https://bench.invalid/{file}")
    if isinstance(raw, str):
        return raw[:110]
    return None if raw.entries else "no entries"


def run_corpus(corpus: Path, repeat: int) -> None:
    from newsmon.feeds.parse import FeedParseError, ParsedFeed, parse_feed
    from newsmon.html_text import html_to_text

    rows = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text().splitlines() if line.strip()]
    bodies = [(row, (corpus / row["file"]).read_bytes()) for row in rows]
    now = datetime.now(UTC)
    results: list[FileResult] = []
    for row, body in bodies:
        nm_titles: list[str] = []
        try:
            parsed = parse_feed(body, url=f"https://bench.invalid/{row['file']}", now=now)
            n, err, bozo, note = len(parsed.entries), None, parsed.bozo_reason, parsed.encoding_note
            nm_titles = [e.title for e in parsed.entries]
        except FeedParseError as exc:
            n, err, bozo, note = 0, f"{exc.kind}: {exc.message}"[:120], None, None
        fp_titles: list[str] = []
        fp_n, fp_bozo = _raw_feedparser(body, fp_titles)
        # Same entries, different text: feedparser titles as plain text vs newsmon's (encoding fixes).
        mismatches = sum(a != html_to_text(b) for a, b in zip(nm_titles, fp_titles, strict=False))
        results.append(
            FileResult(
                row["file"],
                row.get("format", "?"),
                str(row.get("declared_encoding", "?")),
                len(body),
                n,
                err,
                bozo,
                note,
                fp_n,
                fp_bozo,
                mismatches,
            )
        )

    # Timing: `repeat` passes over all files, each parser separately (after the warm-up pass above).
    total_bytes = sum(len(b) for _, b in bodies)

    def timed_interleaved(*fns) -> list[float]:
        """Seconds per parser over `repeat` passes, the parsers taking turns file by file, so that the
        load of this shared machine drifting during the run weighs on each of them alike."""
        totals = [0.0] * len(fns)
        for _ in range(repeat):
            for row, body in bodies:
                for k, fn in enumerate(fns):
                    start = time.perf_counter()
                    fn(row, body)
                    totals[k] += time.perf_counter() - start
        return totals

    def newsmon_one(row, body):
        with contextlib.suppress(FeedParseError):
            parse_feed(body, url="https://bench.invalid/x", now=now)

    # feedparser with its defaults (sanitises + resolves HTML) is the anchor of issue #18.
    t_newsmon, t_fp, t_reference = timed_interleaved(
        newsmon_one,
        lambda row, body: _raw_feedparser(body),
        lambda row, body: _newsmon_reference(body, now),
    )

    # Issue #18: the lxml fast path against newsmon's feedparser path (parse_feed(fast=False)), entry by
    # entry (key/id, link, title, summary, date, author) and the feed's own fields, on every capture.
    from newsmon.feeds import fastparse

    refusals = {row["file"]: _fast_path_refusal(body, row["file"]) for row, body in bodies}
    fast_files = [file for file, why in refusals.items() if why is None]
    equality: list[tuple[str, int, int, str]] = []  # file, entries compared, entries differing, note
    for row, body in bodies:
        url = f"https://bench.invalid/{row['file']}"
        try:
            ref: ParsedFeed | str = parse_feed(body, url=url, now=now, fast=False)
        except FeedParseError as exc:
            ref = f"{exc.kind}: {exc.message}"
        try:
            got: ParsedFeed | str = parse_feed(body, url=url, now=now)
        except FeedParseError as exc:
            got = f"{exc.kind}: {exc.message}"
        if isinstance(ref, str) or isinstance(got, str):
            equality.append((row["file"], 0, int(ref != got), "" if ref == got else f"{ref!r} vs {got!r}"))
            continue
        differing = sum(a != b for a, b in zip(ref.entries, got.entries, strict=False))
        differing += abs(len(ref.entries) - len(got.entries))
        feed_same = (ref.title, ref.link, ref.lang, ref.format, ref.bozo_reason, ref.items) == (
            got.title,
            got.link,
            got.lang,
            got.format,
            got.bozo_reason,
            got.items,
        )
        equality.append((row["file"], len(ref.entries), differing, "" if feed_same else "feed fields differ"))
    del fastparse
    n_files = len(bodies) * repeat
    nm_entries = sum(r.newsmon_entries for r in results) * repeat
    fp_entries = sum(r.feedparser_entries for r in results) * repeat

    print(
        f"== Part 1: corpus {corpus} ({len(bodies)} files, {total_bytes / 1e6:.2f} MB, {repeat} timed passes)"
    )
    print()
    print(
        "per format (manifest) :  files  newsmon entries  feedparser entries  "
        "files with 0 (newsmon/feedparser)"
    )
    by_format: dict[str, list[FileResult]] = collections.defaultdict(list)
    for r in results:
        by_format[r.format].append(r)
    for fmt, group in sorted(by_format.items()):
        print(
            f"  {fmt:20s}: {len(group):6d}  {sum(r.newsmon_entries for r in group):15d}  "
            f"{sum(r.feedparser_entries for r in group):18d}  "
            f"{sum(not r.newsmon_entries for r in group)}/{sum(not r.feedparser_entries for r in group)}"
        )
    print()
    print(
        "per declared encoding :  files  newsmon entries  feedparser entries  "
        "files with 0 (newsmon/feedparser)"
    )
    by_enc: dict[str, list[FileResult]] = collections.defaultdict(list)
    for r in results:
        by_enc[r.encoding].append(r)
    for enc, group in sorted(by_enc.items()):
        print(
            f"  {enc:20s}: {len(group):6d}  {sum(r.newsmon_entries for r in group):15d}  "
            f"{sum(r.feedparser_entries for r in group):18d}  "
            f"{sum(not r.newsmon_entries for r in group)}/{sum(not r.feedparser_entries for r in group)}"
        )
    print()
    total_nm = sum(r.newsmon_entries for r in results)
    total_fp = sum(r.feedparser_entries for r in results)
    print(f"total entries: newsmon {total_nm}, feedparser {total_fp}")
    print()
    print("files with 0 entries (either parser):")
    for r in results:
        if not r.newsmon_entries or not r.feedparser_entries:
            nm_why = f" ({r.newsmon_error or 'valid feed, no items'})" if not r.newsmon_entries else ""
            fp_why = f" ({r.feedparser_bozo or 'valid feed, no items'})" if not r.feedparser_entries else ""
            print(
                f"  {r.file} [{r.format}, {r.encoding}]: newsmon {r.newsmon_entries}{nm_why}; "
                f"feedparser {r.feedparser_entries}{fp_why}"
            )
    print()
    print("files where the counts differ:")
    diffs = [r for r in results if r.newsmon_entries != r.feedparser_entries]
    for r in diffs:
        print(f"  {r.file}: newsmon {r.newsmon_entries}, feedparser {r.feedparser_entries}")
    if not diffs:
        print("  none")
    print()
    print("files where both found entries but titles differ (newsmon vs feedparser title as plain text):")
    mism = [r for r in results if r.title_mismatches]
    for r in mism:
        print(f"  {r.file} [{r.encoding}]: {r.title_mismatches} of {r.newsmon_entries} titles differ")
    if not mism:
        print("  none")
    print()
    print("encoding corrections by newsmon (bytes contradicted the declaration):")
    notes = [r for r in results if r.newsmon_note]
    for r in notes:
        print(f"  {r.file} [{r.encoding}]: {r.newsmon_note}")
    if not notes:
        print("  none")
    print()
    print(
        f"speed newsmon   : {n_files / t_newsmon:8.1f} feeds/s  {nm_entries / t_newsmon:9.0f} entries/s  "
        f"{total_bytes * repeat / t_newsmon / 1e6:6.2f} MB/s"
    )
    print(
        f"speed feedparser: {n_files / t_fp:8.1f} feeds/s  {fp_entries / t_fp:9.0f} entries/s  "
        f"{total_bytes * repeat / t_fp / 1e6:6.2f} MB/s"
    )
    print(
        f"speed newsmon without the fast path (parse_feed(fast=False)): {n_files / t_reference:8.1f} feeds/s"
    )
    print(
        "throughput ratio (same run, interleaved file by file): "
        f"newsmon / feedparser = {t_fp / t_newsmon:.2f}x; "
        f"newsmon without fast path / feedparser = {t_fp / t_reference:.2f}x"
    )
    print()
    print(
        f"fast path (lxml): {len(fast_files)} of {len(bodies)} captures; "
        f"{len(bodies) - len(fast_files)} fell back to feedparser"
    )
    compared = sum(n for _, n, _, _ in equality)
    differing = sum(d for _, _, d, _ in equality)
    print(
        f"entry equality, fast path on vs off: {compared} entries compared in {len(equality)} captures, "
        f"{differing} differ"
    )
    for file, n, d, note in equality:
        if d or note:
            print(f"  DIFFERS {file}: {d} of {n} entries {note}")
    for file, why in refusals.items():
        row_n = next(n for f, n, _, _ in equality if f == file)
        how = "fast    " if why is None else "fallback"
        print(f"  {how} {file}: {row_n} entries{'; ' + why if why else ''}")
    print()


# ---------------------------------------------------------------- part 2: poll cycle


def _serve(port_queue: multiprocessing.Queue, full_body: bytes, changed_every: int) -> None:
    """Server process: /feed/<i> answers 304 to If-None-Match "v1" unless i % changed_every == 0."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            try:
                index = int(self.path.rsplit("/", 1)[-1])
            except ValueError:
                index = 0
            changed = index % changed_every == 0
            if not changed and self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.send_header("ETag", '"v1"')
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", '"v2"' if changed else '"v1"')
            self.send_header("Content-Length", str(len(full_body)))
            self.end_headers()
            self.wfile.write(full_body)

        def log_message(self, *args) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

    server = Server(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def run_poll(corpus: Path, n_feeds: int, workers: int, changed_pct: int) -> None:
    from newsmon.feeds.poll import FeedState, poll_feeds
    from newsmon.http.client import HttpPolicy
    from newsmon.http.politeness import HostLimiter

    full_body = _pick_full_body(corpus)
    changed_every = max(1, round(100 / changed_pct)) if changed_pct else 10**9
    queue: multiprocessing.Queue = multiprocessing.Queue()
    proc = multiprocessing.Process(target=_serve, args=(queue, full_body, changed_every), daemon=True)
    proc.start()
    try:
        port = queue.get(timeout=10)
        policy = HttpPolicy(allowed_private=frozenset({f"127.0.0.1:{port}"}))
        states = [FeedState(url=f"http://127.0.0.1:{port}/feed/{i}", etag='"v1"') for i in range(n_feeds)]
        now = datetime.now(UTC)
        # One host serves every feed here, so the per-host limit is raised to the worker count and the
        # per-host delay is 0; with the defaults (2 per host, 1 s apart) 500 feeds on one host take ~250 s.
        limiter = HostLimiter(max_per_host=workers, min_delay=0.0)
        # warm-up: imports (feedparser), first connections
        poll_feeds(
            states[:10],
            policy=policy,
            now=now,
            interval_for=lambda s: timedelta(minutes=15),
            max_workers=workers,
            limiter=limiter,
        )
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        outcomes = poll_feeds(
            states,
            policy=policy,
            now=now,
            interval_for=lambda s: timedelta(minutes=15),
            max_workers=workers,
            limiter=limiter,
        )
        wall = time.perf_counter() - start
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        proc.terminate()
        proc.join(5)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    statuses = collections.Counter(o.status for o in outcomes)
    lat_304 = [o.elapsed for o in outcomes if o.status == "not_modified"]
    lat_200 = [o.elapsed for o in outcomes if o.status == "new"]
    entries = sum(len(o.entries) for o in outcomes)
    errors = collections.Counter(o.error_kind for o in outcomes if o.status == "error")
    print(
        f"== Part 2: poll cycle of {n_feeds} feeds, {workers} workers, ~{changed_pct}% changed, "
        f"server in another process on 127.0.0.1; {os.cpu_count()} CPUs"
    )
    print(f"  outcomes          : {dict(statuses)}" + (f" errors {dict(errors)}" if errors else ""))
    print(f"  changed feed body : {len(full_body)} bytes; entries parsed in the cycle: {entries}")
    print(f"  wall time         : {wall:.3f} s  ({n_feeds / wall:.0f} feeds/s)")
    print(f"  wall per feed     : {wall / n_feeds * 1000:.2f} ms (amortised over the cycle)")
    print(f"  client CPU        : {cpu:.3f} s = {cpu / n_feeds * 1000:.2f} ms per feed (all feeds)")
    if lat_304:
        print(
            f"  304 fetch latency : median {statistics.median(lat_304) * 1000:.2f} ms, "
            f"p95 {sorted(lat_304)[int(len(lat_304) * 0.95) - 1] * 1000:.2f} ms "
            f"(under {workers}-way concurrency)"
        )
    if lat_200:
        print(
            f"  200 fetch latency : median {statistics.median(lat_200) * 1000:.2f} ms "
            "(fetch only; parse extra)"
        )
    print(
        f"  peak memory (RSS) : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB "
        "(polling process, ru_maxrss)"
    )
    print()


# ---------------------------------------------------------------- part 3: fairness


def _serve_farm(port_queue: multiprocessing.Queue, feeds: int, items: int, huge_items: int) -> None:
    from newsmon.demo.farm import FeedFarm

    with FeedFarm(feeds=feeds, items=items, huge_items=huge_items) as farm:
        port_queue.put(farm.base_url)
        threading.Event().wait()  # until the parent terminates this process


def run_fairness(args: argparse.Namespace) -> None:
    from sqlalchemy import func, select

    from newsmon import pipeline
    from newsmon.config.settings import load_settings
    from newsmon.store.db import session_scope
    from newsmon.store.models import Entry, EntryState, Feed

    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    db_url = args.db or f"sqlite:///{work / 'fairness.db'}"
    if not args.db:
        for suffix in ("", "-wal", "-shm"):
            (work / f"fairness.db{suffix}").unlink(missing_ok=True)
    queue: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=_serve_farm, args=(queue, args.normal_feeds, args.items, args.huge_items), daemon=True
    )
    server.start()
    try:
        base = queue.get(timeout=60)
        # The huge feed first: it gets the lowest ids, the worst case for a queue read in id order.
        names = ["huge"] + [f"feed{n}" for n in range(args.normal_feeds)]
        lines = ["feeds:"]
        for name in names:
            lines += [f'  - url: "{base}/{name}/rss.xml"', f"    name: {name}", "    allow_private: true"]
        feeds_file = work / "feeds.yaml"
        feeds_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        settings = load_settings().with_(
            db_url=db_url, feeds_file=feeds_file, host_delay=args.host_delay, host_concurrency=args.per_host
        )
        times = {}
        start = time.perf_counter()
        pipeline.prepare(settings)
        times["prepare"] = time.perf_counter() - start
        t = time.perf_counter()
        polled = pipeline.poll_feeds(settings, force=True)
        times["poll"] = time.perf_counter() - t
        t = time.perf_counter()
        plan = pipeline.plan_fetch(settings)
        times["plan"] = time.perf_counter() - t
        t = time.perf_counter()
        fetched: collections.Counter[str] = collections.Counter()
        for batch in plan:
            fetched.update(pipeline.fetch_batch(settings, batch))
        times["fetch"] = time.perf_counter() - t
        total = time.perf_counter() - start
    finally:
        server.terminate()
        server.join(10)
    with session_scope(db_url) as s:
        rows = s.execute(
            select(Feed.name, Entry.state, func.count())
            .join(Entry, Entry.feed_id == Feed.id)
            .group_by(Feed.name, Entry.state)
        ).all()
        huge = s.scalars(select(Feed).where(Feed.name == "huge")).one()
        huge_row = (huge.last_poll_items, huge.last_poll_surplus, huge.entries_skipped)
    per_feed: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for name, state, n in rows:
        per_feed[name][str(state)] += n
    normal = [per_feed[f"feed{n}"] for n in range(args.normal_feeds)]
    done = sorted(c[EntryState.DONE] for c in normal)
    complete = sum(1 for c in normal if c[EntryState.DONE] == args.items)
    articles = sum(done) + per_feed["huge"][EntryState.DONE]
    print(
        f"== Part 3: fairness, first run: {args.normal_feeds} feeds x {args.items} items + 1 feed of "
        f"{args.huge_items} items, one loopback host, {db_url.split(':', 1)[0]}; {os.cpu_count()} CPUs"
    )
    print(f"  poll              : {dict(polled)}")
    print(f"  fetch             : {dict(fetched)} in {len(plan)} batches of <= {settings.batch_size}")
    print(
        "  wall time         : "
        + ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
        + f"; total {total:.1f} s ({articles / times['fetch']:.1f} articles/s fetched)"
    )
    print(
        f"  peak memory (RSS) : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB "
        "(pipeline process; the farm serves from another)"
    )
    print(
        f"  ordinary feeds    : {complete}/{args.normal_feeds} had all {args.items} new articles fetched; "
        f"per feed min {done[0]}, median {statistics.median(done):g}, max {done[-1]}"
    )
    print(
        f"  the huge feed     : {per_feed['huge'][EntryState.DONE]} fetched "
        f"(cap {settings.feed_fetch_per_run} per run), "
        f"{sum(per_feed['huge'].values())} entries stored (backlog {settings.feed_backlog}); "
        f"last poll {huge_row[0]} items, {huge_row[1]} not kept, {huge_row[2]} skipped"
    )
    print()


def _pick_full_body(corpus: Path) -> bytes:
    """A typical well-formed RSS 2.0 file from the corpus (median size) as the 'changed' response."""
    rows = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text().splitlines() if line.strip()]
    good = sorted(
        (r for r in rows if r.get("format") == "rss2.0" and r.get("well_formed") and not r.get("gzip")),
        key=lambda r: r.get("bytes", 0),
    )
    return (corpus / good[len(good) // 2]["file"]).read_bytes()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path, nargs="?", help="directory with manifest.jsonl (parts 1, 2)")
    parser.add_argument("--part", choices=("corpus", "poll", "both", "fairness"), default="both")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the corpus")
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--changed-pct", type=int, default=10)
    fair = parser.add_argument_group("part 3: fairness")
    fair.add_argument("--work", type=Path, default=Path("bench/out/fairness"), help="database and feeds.yaml")
    fair.add_argument("--db", help="database URL (default: SQLite in --work)")
    fair.add_argument("--normal-feeds", type=int, default=100)
    fair.add_argument("--items", type=int, default=10, help="new items per ordinary feed")
    fair.add_argument("--huge-items", type=int, default=20_000)
    fair.add_argument("--host-delay", type=float, default=0.0, help="seconds between requests to one host")
    fair.add_argument("--per-host", type=int, default=2, help="requests in flight per host")
    args = parser.parse_args()
    if args.part == "fairness":
        run_fairness(args)
        return 0
    if args.corpus is None:
        parser.error("parts corpus/poll/both need CORPUS_DIR")
    if args.part in ("corpus", "both"):
        run_corpus(args.corpus, args.repeat)
    if args.part == "poll":
        run_poll(args.corpus, args.feeds, args.workers, args.changed_pct)
    elif args.part == "both":
        sys.stdout.flush()
        cmd = [
            sys.executable,
            __file__,
            str(args.corpus),
            "--part",
            "poll",
            "--feeds",
            str(args.feeds),
            "--workers",
            str(args.workers),
            "--changed-pct",
            str(args.changed_pct),
        ]
        return subprocess.call(cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
