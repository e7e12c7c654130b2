"""How long a topic preview takes, and how much memory it needs, over a large stored archive.

Builds an archive of `--copies` copies (default 100,000) in stories of one to three copies, their texts
taken in turn from a labelled article file (JSONL with title, text, lang: `bench/data/topics/labels.jsonl`
or a real corpus such as judgement-dev's `topic-labels.jsonl`, read by path), with the flags the shipped
`child_repatriation` topic stores on every third story. Then previews an edited version of the topic
(threshold raised by half) over the whole archive, in a fresh process so its peak memory is its own:
prints wall time, copies per second, the peak resident memory of that process, and what the preview found.

    .venv/bin/python bench/preview.py bench/data/topics/labels.jsonl
    .venv/bin/python bench/preview.py /work/shared/corpora/judgement-dev/topic-labels.jsonl --copies 20000
    .venv/bin/python bench/preview.py LABELS.jsonl --db postgresql+psycopg://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import insert, select

from newsmon.store.db import get_engine, session_scope, upgrade
from newsmon.store.models import Copy, Flag, Story
from newsmon.topics.model import load_topic, parse_topic
from newsmon.topics.preview import preview_topic

REPO = Path(__file__).resolve().parents[1]
TOPIC_FILE = REPO / "config" / "topics" / "child_repatriation.yaml"
CHUNK = 5000


def read_articles(path: Path) -> list[dict]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            out.append(
                {"title": item.get("title") or "", "text": item.get("text") or "", "lang": item.get("lang")}
            )
    if not out:
        raise SystemExit(f"{path}: no articles")
    return out


def load(url: str, articles: list[dict], copies: int) -> dict[str, float]:
    """Stories of 1-3 copies (the pattern repeats), each copy's text an article in turn."""
    upgrade(url)
    started = time.perf_counter()
    now = datetime.now(UTC)
    engine = get_engine(url)
    with engine.begin() as conn:
        made, story_no = 0, 0
        while made < copies:
            stories = []
            sizes = []
            while made + sum(sizes) < copies and len(stories) < CHUNK:
                size = min(1 + story_no % 3, copies - made - sum(sizes))
                when = now - timedelta(minutes=story_no % 40_000)
                stories.append(
                    {
                        "title": f"story {story_no}",
                        "first_seen_at": when,
                        "last_copy_at": when,
                        "copies_count": size,
                    }
                )
                sizes.append(size)
                story_no += 1
            ids = [r[0] for r in conn.execute(insert(Story).returning(Story.id), stories)]
            rows = []
            for story_id, size, story in zip(ids, sizes, stories, strict=True):
                for k in range(size):
                    article = articles[(made + len(rows)) % len(articles)]
                    rows.append(
                        {
                            "url_key": f"bench.example/{story_id}/{k}",
                            "url": f"https://bench.example/{story_id}/{k}",
                            "site": f"site{k}.example",
                            "title": article["title"],
                            "text": article["text"],
                            "lang": article["lang"],
                            "story_id": story_id,
                            "fetched_at": story["first_seen_at"],
                            "folded_at": story["first_seen_at"],
                            "scored_at": story["first_seen_at"],
                        }
                    )
            conn.execute(insert(Copy), rows)
            made += len(rows)
    # Flags on every third story, as if the shipped topic had flagged them: what "would unflag" compares.
    with session_scope(url) as s:
        ids = list(s.scalars(select(Story.id).where(Story.id % 3 == 0)))
        for i in range(0, len(ids), CHUNK):
            s.execute(
                insert(Flag),
                [
                    {
                        "story_id": sid,
                        "topic": "child_repatriation",
                        "score": 1.5,
                        "evidence": {},
                        "flagged_at": now,
                        "updated_at": now,
                    }
                    for sid in ids[i : i + CHUNK]
                ],
            )
    return {"copies": copies, "stories": story_no, "load_seconds": round(time.perf_counter() - started, 1)}


def measure(url: str) -> dict:
    """Run in a fresh process: the preview of the edited topic over the whole archive."""
    live = load_topic(TOPIC_FILE)
    data = yaml.safe_load(TOPIC_FILE.read_text(encoding="utf-8"))
    data["threshold"] = float(data["threshold"]) * 1.5
    edited = parse_topic(yaml.safe_dump(data), name=live.name, path="<edited>", term_files=live.term_files)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = preview_topic(url, edited, since=datetime.now(UTC) - timedelta(days=365), limit=50, live=live)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 1),
        "copies_per_second": round(result.copies / seconds, 1) if seconds else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_preview_mb": round(rss_before / 1024, 1),
        "stories": result.stories,
        "copies": result.copies,
        "would_flag": result.would_flag_total,
        "would_unflag": result.would_unflag_total,
        "still_flagged": result.still_flagged,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("articles", type=Path, help="JSONL of articles (title, text, lang)")
    parser.add_argument("--copies", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file (its path is printed)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.db)))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="newsmon-bench-preview-"))
    url = args.db or f"sqlite:///{folder / 'archive.db'}"
    loaded = load(url, read_articles(args.articles), args.copies)
    get_engine(url).dispose()
    out = subprocess.run(
        [sys.executable, __file__, str(args.articles), "--db", url, "--measure"],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    backend = url.split(":", 1)[0]
    print(
        f"archive: {loaded['stories']} stories, {loaded['copies']} copies on {backend} "
        f"(loaded in {loaded['load_seconds']} s)"
    )
    print(
        f"preview: {figures['seconds']} s, {figures['copies_per_second']} copies/s, "
        f"peak RSS {figures['peak_rss_mb']} MB (before the preview {figures['rss_before_preview_mb']} MB)"
    )
    print(
        f"found: {figures['would_flag']} would flag, {figures['would_unflag']} would stop flagging, "
        f"{figures['still_flagged']} stay flagged over {figures['stories']} stories"
    )
    if args.keep and not args.db:
        print(f"kept: {url}")
    elif not args.db:
        (folder / "archive.db").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
