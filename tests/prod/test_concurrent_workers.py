"""Two workers (two processes) fetching, folding, flagging and alerting the same batch at the same moment,
against one PostgreSQL database: every row exists once, and each unique key that guarantees it is in place."""

from __future__ import annotations

import multiprocessing

from newsmon import pipeline
from newsmon.config.settings import load_settings
from tests.prod.helpers import (
    GUARDS,
    alert_headers,
    comparable,
    constraint_names,
    counts,
    duplicates,
    pipeline_worker,
)


def test_two_workers_on_the_same_batch_write_each_row_once(
    pg_url, reference, demo_server, demo_feeds_file, smtp_sink
):
    # The guards exist, by name, in the production schema.
    assert set(GUARDS.values()) <= constraint_names(pg_url)

    # a small politeness delay keeps both workers inside the fetch loop at the same time
    settings = load_settings().with_(db_url=pg_url, feeds_file=demo_feeds_file, host_delay=0.05)
    pipeline.prepare(settings)
    pipeline.poll_feeds(settings, force=True)
    batches = pipeline.plan_fetch(settings)
    entry_ids = [i for batch in batches for i in batch]
    assert len(entry_ids) >= 10

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=pipeline_worker, args=(settings, entry_ids, barrier, smtp_sink.url, results))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    outs = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0

    # Both really did the work: each fetched every entry (page or "known" through the url_key).
    for out in outs:
        assert out["fetch"]["entries"] == len(entry_ids)
        assert out["fetch"]["failed"] == 0, out
    # The url_key guard decided: together they stored each copy once, the loser saw it as known or lost
    # the insert race (then save_copy returned the winner's id).
    expected = reference.one  # a clean sequential run over the same corpus
    got = counts(pg_url)
    assert comparable(got) == comparable(expected)
    assert sum(o["fold"]["folded"] for o in outs) == got["copies"]  # the fold lock: each copy folded once
    assert sum(o["flag"]["new_flags"] for o in outs) == got["flags"]
    assert sum(o["alerts"]["queued"] for o in outs) == got["alerts"]
    assert sum(o["alerts"]["sent"] for o in outs) == got["alerts"] > 0

    assert {k: v for k, v in duplicates(pg_url).items() if v} == {}
    sent = alert_headers(smtp_sink.messages)
    assert len(sent) == got["alerts"]
    assert set(sent.values()) == {1}, sent
