"""Two processes polling feeds of one host at the same moment: the spacing and the one-at-a-time limit
hold across them, because the politeness state lives in the database they share (SQLite, PostgreSQL)."""

from __future__ import annotations

import http.server
import itertools
import multiprocessing
import threading

from newsmon import pipeline
from newsmon.config.settings import load_settings
from tests.feeds import samples
from tests.http.localserver import LocalServer, respond
from tests.pipeline.politeness_worker import poll_once

FEEDS = 4
DELAY = 0.25


def test_two_processes_keep_the_spacing_and_the_limit_of_one_host(db_url, server: LocalServer, tmp_path):
    lock = threading.Lock()
    in_flight = {"now": 0, "peak": 0}

    def feed(h: http.server.BaseHTTPRequestHandler) -> None:
        with lock:
            in_flight["now"] += 1
            in_flight["peak"] = max(in_flight["peak"], in_flight["now"])
        try:
            respond(h, 200, samples.RSS20.encode(), {"Content-Type": "application/rss+xml"})
        finally:
            with lock:
                in_flight["now"] -= 1

    urls = [server.route(f"/f{i}.xml", feed) for i in range(FEEDS)]
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text(
        "feeds:\n"
        + "".join(f"  - url: {u}\n    name: F{i}\n    allow_private: true\n" for i, u in enumerate(urls))
    )
    settings = load_settings().with_(
        db_url=db_url, feeds_file=feeds_file, host_delay=DELAY, host_concurrency=1, host_max_wait=120
    )
    pipeline.prepare(settings)

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=poll_once, args=(settings, barrier, results)) for _ in range(2)]
    for p in procs:
        p.start()
    outs = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0

    assert all(counts["errors"] == 0 and counts["deferred"] == 0 for counts, _ in outs), outs
    grants = sorted(at for _, granted in outs for host, at in granted if host == server.pair)
    assert len(grants) == 2 * FEEDS == len(server.requests)
    assert min(b - a for a, b in itertools.pairwise(grants)) >= DELAY - 1e-6, grants
    assert in_flight["peak"] == 1
