"""Benchmark of the fold stage: quality on labelled pairs, and cost as the archive grows.

Quality:  .venv/bin/python bench/stories.py ARTICLES.jsonl PAIRS.jsonl [--config stories.yaml] [-v]
    Folds every article through the real `fold_pending` into a fresh SQLite database (temp dir) and
    prints precision, recall and F1 of "same story" over the pairs (dup = positive, near_miss =
    negative), how many near misses were merged, recall per kind (the pairs' `kind`, else `note`),
    and the links between languages: crosslingual_dup pairs linked (found), links between stories
    that a pair labels different (near_miss or crosslingual_other: wrong), and links no pair labels.
    An article without `lang` gets the language the pipeline's extraction would detect. -v lists
    every wrong pair and every link.
    Copies are folded day by day in time order (a dated article on its day, as production folds it
    soon after the fetch), then the undated ones at one fixed time. A copy's time periods (its anchor
    buckets are keyed by week) are those of its date, else of the time it is folded: so in a set that
    mixes dated and undated articles, an undated copy does not meet the dated copies of its story in
    those buckets (production folds it at its fetch time, near its publication). --undated drops
    every date (all copies folded at one time, as a judgement set without dates is); --url-dates folds
    an undated article on the day its URL names, if any (which splits a set whose undated articles
    only partly have one: a pair of which one has a URL date and the other not lands weeks apart).
Scale:    .venv/bin/python bench/stories.py --scale 1000,10000,100000 [--cpu]
    Folds synthetic articles (random-word sentences with names and figures, and planted copies) in
    batches as they would arrive,
    and prints, per size, the cost per article over the whole run and over the last batch (flat means
    the near-duplicate search does not slow down as the archive grows), peak memory, and how many
    planted copies were folded, and the last batch's candidates and alignments per copy (the search's
    work: it should not grow with the archive either). Each size runs in its own process so peak
    memory is its own. --cpu times in process CPU time, for a machine shared with other work.
    --pg URL folds into a fresh database made on that PostgreSQL server (dropped afterwards) instead
    of SQLite, e.g. --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres: production's store.
    With --pg, --cpu counts this process only, not the server's work; wall time then says more.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include"))

from sqlalchemy import create_engine, make_url, select

from newsmon.extract.language import detect_language
from newsmon.store.db import session_scope, upgrade
from newsmon.store.models import Copy, Story, StoryLink
from newsmon.stories.compare import Features, compare
from newsmon.stories.config import FoldConfig, load_config
from newsmon.stories.fold import FoldReport, fold_pending
from newsmon.stories.links import compare_across
from newsmon.stories.urls import url_key

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                print(f"{path}:{n}: skipped, not JSON ({exc})", file=sys.stderr)
    return rows


# A date in a URL's path: /2024/08/10/, /2024-08-10-, /20240810/ (year 2000-2099).
_URL_DATE = re.compile(r"(?<!\d)(20\d\d)([/_-]?)(0[1-9]|1[0-2]|[1-9])\2(0[1-9]|[12]\d|3[01]|[1-9])(?!\d)")


def _url_date(url: str) -> datetime | None:
    """The publication day a URL's path names (noon UTC), if any."""
    path = urlsplit(url).path
    for m in _URL_DATE.finditer(path):
        if not m.group(2) and (len(m.group(3)) < 2 or len(m.group(4)) < 2):
            continue  # 2024810: not a date without separators
        try:
            return datetime(int(m.group(1)), int(m.group(3)), int(m.group(4)), 12, tzinfo=UTC)
        except ValueError:
            continue
    return None


def _arrival(article: dict, url_dates: bool) -> datetime | None:
    """When the pipeline would have fetched and folded an article: at its publication, else (`url_dates`)
    on the day its URL names (a news page is fetched when new); None when not known."""
    when = _parse_time(article.get("published"))
    return when or (_url_date(article["url"]) if url_dates else None)


def _insert(url: str, articles: list[dict], start_index: int = 0, fetched: datetime = NOW) -> dict[str, str]:
    """Insert articles as copies the way the pipeline does (one copy per url_key); url -> url_key."""
    keys: dict[str, str] = {}
    with session_scope(url) as s:
        existing = set(s.scalars(select(Copy.url_key)))
        for i, a in enumerate(articles, start_index):
            key = url_key(a["url"])
            keys[a["url"]] = key
            if key in existing:
                continue
            existing.add(key)
            s.add(
                Copy(
                    url_key=key,
                    url=a["url"],
                    text=a.get("text") or "",
                    title=a.get("title") or "",
                    published=_parse_time(a.get("published")),
                    lang=a.get("lang") or detect_language(a.get("text")),
                    site=None,
                    fetched_at=fetched + timedelta(seconds=i),
                )
            )
    return keys


def _features(article: dict, lang: str | None, cfg: FoldConfig) -> Features:
    return Features(
        article.get("text") or "",
        lang,
        _parse_time(article.get("published")),
        cfg.shingle_chars,
        cfg.lead_chars,
        cfg.min_sentence_words,
    )


def _explain(a: dict, b: dict, lang_a: str | None, lang_b: str | None, cfg: FoldConfig) -> str:
    """What the same-story decision says of a pair on its own (the fold may also not have reached it)."""
    return compare(_features(a, lang_a, cfg), _features(b, lang_b, cfg), cfg).describe()


def _resolve(merged_into: dict[int, int | None], story: int | None) -> int | None:
    while story is not None and merged_into.get(story):
        story = merged_into[story]
    return story


def _fold_as_fetched(
    db: str, articles: list[dict], cfg: FoldConfig, url_dates: bool
) -> tuple[dict[str, str], FoldReport, float]:
    """Insert and fold the articles day by day as production fetches them (`_arrival`; a copy without a
    date is folded at its fetch time, so its time periods are its fetch day's), then those whose time
    is not known at `NOW`, all in one run. url -> url_key, the reports summed, seconds."""
    days: dict[datetime | None, list[dict]] = {}
    for a in articles:
        when = _arrival(a, url_dates)
        day = when.replace(hour=0, minute=0, second=0, microsecond=0) if when else None
        days.setdefault(day, []).append(a)
    keys: dict[str, str] = {}
    total = FoldReport(0, 0, 0, ())
    elapsed = 0.0
    start = 0
    for day in sorted(days, key=lambda d: (d is None, d or NOW)):
        batch = days[day]
        # Fetched during the day, folded at its end (the next day's copies are not there yet).
        fetched = NOW if day is None else day + timedelta(hours=12)
        keys.update(_insert(db, batch, start, fetched))
        start += len(batch)
        t0 = time.perf_counter()
        with session_scope(db) as s:
            report = fold_pending(s, now=NOW if day is None else day + timedelta(days=1), config=cfg)
        elapsed += time.perf_counter() - t0
        total = FoldReport(
            total.folded + report.folded,
            total.new_stories + report.new_stories,
            total.joined + report.joined,
            total.merges + report.merges,
            total.links + report.links,
            total.candidates + report.candidates,
            total.compared + report.compared,
        )
    return keys, total, elapsed


def quality(
    articles_path: Path,
    pairs_path: Path,
    cfg: FoldConfig,
    verbose: bool,
    undated: bool = False,
    url_dates: bool = False,
) -> None:
    articles = _read_jsonl(articles_path)
    if undated:  # as a set without dates
        articles = [{k: v for k, v in a.items() if k != "published"} for a in articles]
    pairs = _read_jsonl(pairs_path)
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.db"
        upgrade(db)
        keys, report, elapsed = _fold_as_fetched(db, articles, cfg, url_dates)
        with session_scope(db) as s:
            story_of = dict(s.execute(select(Copy.url_key, Copy.story_id)).all())
            lang_of = dict(s.execute(select(Copy.url_key, Copy.lang)).all())
            merged_into = dict(s.execute(select(Story.id, Story.merged_into_id)).all())
            links = {
                frozenset((_resolve(merged_into, a), _resolve(merged_into, b))): ev
                for a, b, ev in s.execute(
                    select(StoryLink.story_id, StoryLink.other_story_id, StoryLink.evidence)
                )
            }
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    cross = {"folded": 0, "linked": 0, "total": 0}
    per_kind: dict[str, list[int]] = {}
    link_label: dict[frozenset, str] = {}
    wrong = []
    for p in pairs:
        a, b = keys.get(p["url_a"]), keys.get(p["url_b"])
        if a is None or b is None:
            print(f"pair refers to an unknown article: {p}", file=sys.stderr)
            continue
        sa, sb = story_of.get(a), story_of.get(b)
        same = sa is not None and sa == sb
        label = p["label"]
        if sa is not None and sb is not None and sa != sb:
            pair = frozenset((sa, sb))
            if label == "crosslingual_dup":
                link_label[pair] = "right"
            elif label in ("near_miss", "crosslingual_other"):
                link_label.setdefault(pair, "wrong")
        if label in ("crosslingual_dup", "crosslingual_other"):
            if label == "crosslingual_dup":
                cross["total"] += 1
                cross["folded"] += same
                cross["linked"] += frozenset((sa, sb)) in links
            continue
        positive = label == "dup"
        key = ("tp" if same else "fn") if positive else ("fp" if same else "tn")
        counts[key] += 1
        kind = (p.get("kind") or p.get("note") or "").strip()
        if kind:
            got = per_kind.setdefault(f"{label}: {kind[:70]}", [0, 0])
            got[0] += same if positive else not same
            got[1] += 1
        if key in ("fp", "fn"):
            wrong.append((key, p["url_a"], p["url_b"]))
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"articles {len(articles)} (copies {len(set(keys.values()))}), pairs {len(pairs)}")
    print(
        f"fold: {report.folded} copies -> {report.new_stories} stories, {report.joined} joined, "
        f"{len(report.merges)} merges, {report.links} cross-language links, {elapsed:.2f}s "
        f"({1000 * elapsed / max(1, report.folded):.1f} ms/copy)"
    )
    print(
        f"same story: precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}  "
        f"(tp {tp}, fp {fp}, fn {fn}, tn {counts['tn']})"
    )
    print(f"near misses merged: {fp} of {fp + counts['tn']}")
    if per_kind:
        print("per kind (dup: copies folded / near_miss: kept apart):")
        for kind, (ok, total) in sorted(per_kind.items()):
            print(f"  {ok:>3}/{total:<3} {kind}")
    judged = {pair: link_label.get(pair, "unlabelled") for pair in links}
    print(
        f"cross-lingual: {cross['linked']} of {cross['total']} crosslingual_dup pairs linked, "
        f"{cross['folded']} folded; links {len(links)}: "
        f"wrong {sum(v == 'wrong' for v in judged.values())}, "
        f"unlabelled {sum(v == 'unlabelled' for v in judged.values())}"
    )
    if verbose:
        by_url = {a["url"]: a for a in articles}
        for kind, a, b in wrong:
            print(f"  {'MERGED near miss' if kind == 'fp' else 'missed dup'}: {a}  <>  {b}")
            print(f"      {_explain(by_url[a], by_url[b], lang_of[keys[a]], lang_of[keys[b]], cfg)}")
        for p in pairs:
            if p["label"] == "crosslingual_dup" and keys.get(p["url_a"]) and keys.get(p["url_b"]):
                sa, sb = story_of.get(keys[p["url_a"]]), story_of.get(keys[p["url_b"]])
                if frozenset((sa, sb)) not in links:
                    fa = _features(by_url[p["url_a"]], lang_of[keys[p["url_a"]]], cfg)
                    fb = _features(by_url[p["url_b"]], lang_of[keys[p["url_b"]]], cfg)
                    print(f"  cross-lingual not linked: {p['url_a']}  <>  {p['url_b']}")
                    print(f"      {compare_across(fa, fb, cfg).describe()}")
        url_of = {}
        for u, k in keys.items():
            url_of.setdefault(story_of.get(k), u)
        for pair, ev in links.items():
            x, y = sorted(pair, key=lambda s: s or 0)
            print(
                f"  link ({judged[pair]}): [{lang_of.get(keys.get(url_of.get(x)))}] {url_of.get(x)}  <>  "
                f"[{lang_of.get(keys.get(url_of.get(y)))}] {url_of.get(y)}  ({ev})"
            )


# --- scale -------------------------------------------------------------------------------------------------


def _sentences(rnd: random.Random, vocab: list[str], weights: list[float], names: list[str], n: int) -> str:
    """n words of Zipf-distributed vocabulary in sentences of 8-24 words, with names and figures
    sprinkled in as news text has them (so the anchor buckets see real-looking load)."""
    words = rnd.choices(vocab, weights=weights, k=n)
    out: list[str] = []
    left = 0
    for w in words:
        if left == 0:
            if out:
                out[-1] += "."
            left = rnd.randint(8, 24)
            w = w.capitalize()
        else:
            roll = rnd.random()
            if roll < 0.05:
                w = rnd.choice(names)
            elif roll < 0.08:
                w = str(rnd.randint(2, 2000))
        out.append(w)
        left -= 1
    return " ".join(out) + "."


def _synthetic(n: int, seed: int = 7) -> tuple[list[dict], list[tuple[int, int]]]:
    """n articles of 120-400 words from a 30k-word vocabulary and 20k names; every 10th is a planted
    copy of a recent article (cut after its first half, with words changed, or boilerplate added),
    the way syndication arrives."""
    rnd = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rnd.choice(letters) for _ in range(rnd.randint(2, 10))) for _ in range(30000)]
    names = [
        "".join(rnd.choice(letters) for _ in range(rnd.randint(4, 9))).capitalize() for _ in range(20000)
    ]
    # Zipf-like: common words are much more frequent, as in real text.
    weights = [1.0 / (i + 1) for i in range(len(vocab))]
    articles: list[dict] = []
    planted: list[tuple[int, int]] = []
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(n):
        published = start + timedelta(minutes=5 * i)
        if i >= 10 and i % 10 == 0:
            src = rnd.randint(max(0, i - 500), i - 1)
            text = articles[src]["text"]
            kind = i % 30
            if kind == 0:
                sentences = text.split(". ")
                text = ". ".join(sentences[: max(3, len(sentences) // 2)])
            elif kind == 10:
                text = " ".join(rnd.choice(vocab) if rnd.random() < 0.05 else w for w in text.split(" "))
            else:
                text = "Advertisement. Subscribe now.\n\n" + text + "\n\nShare this story."
            articles.append(
                {
                    "url": f"https://site{i % 97}.example/a/{i}",
                    "text": text,
                    "title": articles[src]["title"],
                    "lang": "en",
                    "published": published.isoformat(),
                }
            )
            planted.append((src, i))
            continue
        text = _sentences(rnd, vocab, weights, names, rnd.randint(120, 400))
        articles.append(
            {
                "url": f"https://site{i % 97}.example/a/{i}",
                "text": text,
                "title": " ".join(text.split()[:8]),
                "lang": "en",
                "published": published.isoformat(),
            }
        )
    return articles, planted


@contextmanager
def _scale_db(tmp: str, pg: str | None) -> Iterator[str]:
    """A fresh store for one scale run: a SQLite file in `tmp`, or a database made on the PostgreSQL
    server `pg` and dropped afterwards."""
    if not pg:
        yield f"sqlite:///{tmp}/scale.db"
        return
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    name = f"newsmon_scale_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(pg).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _db_mb(db: str, tmp: str) -> float:
    if db.startswith("sqlite"):
        return Path(f"{tmp}/scale.db").stat().st_size / 2**20
    engine = create_engine(db)
    with engine.connect() as conn:
        size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
    engine.dispose()
    return size / 2**20


def _scale_one(n: int, cfg: FoldConfig, cpu: bool = False, pg: str | None = None) -> None:
    batch = 1000 if n >= 10000 else max(100, n // 10)
    articles, planted = _synthetic(n)
    with tempfile.TemporaryDirectory() as tmp, _scale_db(tmp, pg) as db:
        upgrade(db)
        clock = time.process_time if cpu else time.perf_counter
        total = 0.0
        last = 0.0
        for start in range(0, n, batch):
            chunk = articles[start : start + batch]
            _insert(db, chunk, start)
            t0 = clock()
            with session_scope(db) as s:
                report = fold_pending(s, now=NOW, config=cfg)
            last = clock() - t0
            total += last
        with session_scope(db) as s:
            story_of = dict(s.execute(select(Copy.url, Copy.story_id)).all())
            stories = len(set(story_of.values()))
        found = sum(1 for a, b in planted if story_of[articles[a]["url"]] == story_of[articles[b]["url"]])
        db_mb = _db_mb(db, tmp)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"n={n:>7}: {1000 * total / n:6.2f} ms/article overall, {1000 * last / len(chunk):6.2f} ms/article "
        f"in the last batch of {len(chunk)}, total {total:7.1f}s, peak RSS {peak_mb:6.0f} MB, "
        f"db {db_mb:6.0f} MB, stories {stories}, planted copies folded {found}/{len(planted)}; "
        f"last batch per copy: {report.candidates / max(1, report.folded):.1f} candidates, "
        f"{report.compared / max(1, report.folded):.2f} compared{' (CPU time)' if cpu else ''}"
        f"{' on PostgreSQL' if pg else ''}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("articles", nargs="?", type=Path)
    ap.add_argument("pairs", nargs="?", type=Path)
    ap.add_argument("--config", type=Path, help="a stories.yaml with thresholds (default: built-in)")
    ap.add_argument("--scale", help="comma-separated sizes, e.g. 1000,10000,100000")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one size in this process
    ap.add_argument(
        "--cpu", action="store_true", help="scale: time in CPU time (a loaded machine's wall clock lies)"
    )
    ap.add_argument("--pg", help="scale: fold into a fresh database on this PostgreSQL server URL")
    ap.add_argument(
        "--undated",
        action="store_true",
        help="quality: drop the dates (a judgement set gives none)",
    )
    ap.add_argument(
        "--url-dates", action="store_true", help="quality: fold an undated article on the day its URL names"
    )
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    cfg = load_config(args.config) if args.config else FoldConfig()
    if args.one:
        _scale_one(args.one, cfg, args.cpu, args.pg)
        return 0
    if args.scale:
        for size in (int(x) for x in args.scale.split(",") if x.strip()):
            cmd = [sys.executable, __file__, "--one", str(size)]
            if args.config:
                cmd += ["--config", str(args.config)]
            if args.cpu:
                cmd.append("--cpu")
            if args.pg:
                cmd += ["--pg", args.pg]
            subprocess.run(cmd, check=False)
        return 0
    if not (args.articles and args.pairs):
        ap.error("give ARTICLES.jsonl PAIRS.jsonl, or --scale SIZES")
    quality(args.articles, args.pairs, cfg, args.verbose, args.undated, args.url_dates)
    return 0


if __name__ == "__main__":
    sys.exit(main())
