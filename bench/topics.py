"""Benchmark a topic on a labelled JSONL file: quality figures, worst mistakes, and speed.

    .venv/bin/python bench/topics.py bench/data/topics/labels.jsonl [--topic NAME] [--topics-dir DIR]
        [--split dev|heldout] [--worst 5] [--json]

Each line: {"id", "text", "title"?, "lang"?, "kind"?, "label": 1|0, "split"?}. Besides the overall line it
prints recall per language, the share of hard negatives rejected, the languages the topic does not cover
(with what was flagged there, marked "language not covered"), and speed: articles per second of CPU time
on one core (so other processes on the machine do not skew it), on the file's own articles and on
~5,000-character articles built by joining texts of one language, with the language given and detected.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from newsmon.topics.evaluate import Evaluation, LabelledExample, Metrics, evaluate, read_labels
from newsmon.topics.model import Topic, load_topics
from newsmon.topics.score import NOT_COVERED, score_text

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("labels", type=Path)
    ap.add_argument("--topic", default="child_repatriation")
    ap.add_argument("--topics-dir", type=Path, default=None)
    ap.add_argument("--split", default=None, help="only examples with this split value")
    ap.add_argument("--threshold", type=float, default=None, help="override the topic's threshold")
    ap.add_argument("--worst", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    ap.add_argument("--speed-rounds", type=int, default=3)
    args = ap.parse_args(argv)

    topics_dir = args.topics_dir or Path(os.environ.get("NEWSMON_TOPICS_DIR", REPO / "config" / "topics"))
    topics = {t.name: t for t in load_topics(topics_dir)}
    if args.topic not in topics:
        print(f"no topic {args.topic!r} in {topics_dir}; have: {', '.join(sorted(topics))}", file=sys.stderr)
        return 2
    topic = topics[args.topic]
    examples = read_labels(args.labels)
    if args.split:
        examples = [e for e in examples if e.split == args.split]
    if not examples:
        print("no examples", file=sys.stderr)
        return 2

    ev = evaluate(topic, examples, threshold=args.threshold, worst=args.worst)
    if args.json:
        print(json.dumps(ev.to_json(), ensure_ascii=False, indent=2))
        return 0
    print_report(ev, len(examples))
    print_speed(topic, examples, rounds=args.speed_rounds)
    return 0


def _row(name: str, m: Metrics) -> str:
    return (
        f"  {name:<18} n={m.n:<4} P={m.precision:.3f} R={m.recall:.3f} F1={m.f1:.3f} "
        f"acc={m.accuracy:.3f}  (tp={m.tp} fp={m.fp} fn={m.fn} tn={m.tn})"
    )


def print_report(ev: Evaluation, n: int) -> None:
    o = ev.overall
    print(f"topic {ev.topic}  threshold {ev.threshold}  examples {n}")
    print(
        f"OVERALL  precision {o.precision:.3f}  recall {o.recall:.3f}  F1 {o.f1:.3f}  "
        f"accuracy {o.accuracy:.3f}"
    )
    print(
        f"HARD NEGATIVES  precision vs hard negatives {ev.hard_negative_precision:.3f}  "
        f"hard negatives rejected {ev.hard_negative_rejection:.3f}"
    )
    print(f"suggested threshold {ev.suggested_threshold} (F1 there {ev.suggested_f1:.3f} on these examples)")
    recalls = [f"{k} {m.recall:.2f} ({m.tp}/{m.tp + m.fn})" for k, m in ev.by_lang.items() if m.tp + m.fn]
    print("RECALL PER LANGUAGE  " + "  ".join(recalls))
    if ev.uncovered:
        print(f"LANGUAGES NOT COVERED ({len(ev.uncovered)}; flags there are marked {NOT_COVERED!r}):")
        for lang, u in ev.uncovered.items():
            print(
                f"  {lang:<4} n={u.n:<3} positives={u.positives:<3} flagged={u.flagged:<3} "
                f"(relevant {u.true_flags}) near-flags={u.near:<3} read with {u.read_with}"
            )
    else:
        print("LANGUAGES NOT COVERED: none (every example is in a language the topic has terms for)")
    if ev.by_split:
        print("per split:")
        for k, m in ev.by_split.items():
            print(_row(k, m))
    print("per language:")
    for k, m in ev.by_lang.items():
        print(_row(k, m))
    print("per kind (for negative kinds, acc = share correctly NOT flagged):")
    for k, m in ev.by_kind.items():
        print(_row(k, m))
    for label, mistakes in (("false positives", ev.false_positives), ("false negatives", ev.false_negatives)):
        print(f"worst {label} ({len(mistakes)} shown):")
        for mistake in mistakes:
            feats = ", ".join(f"{k}={v:+g}" for k, v in mistake.features.items() if v)
            where = f"{mistake.lang}/{mistake.kind}"
            print(f"  - {mistake.id} [{where}] score={mistake.score:.3f} {mistake.title[:80]!r}")
            print(f"      features: {feats or 'none'}")
            for e in mistake.evidence[:4]:
                print(f"      {e.weight:+.2f} {list(e.terms)}: {e.sentence[:150]}")
    print(f"scoring speed on this file: {ev.articles_per_second:.0f} articles/s (CPU time, one core)")


def _long_articles(examples: list[LabelledExample], size: int = 5000) -> list[LabelledExample]:
    by_lang: dict[str, list[str]] = {}
    for e in examples:
        by_lang.setdefault(e.lang or "?", []).append(e.text)
    out: list[LabelledExample] = []
    for lang, texts in by_lang.items():
        for i in range(len(texts)):
            parts: list[str] = []
            j = i
            while sum(len(p) + 2 for p in parts) < size:
                parts.append(texts[j % len(texts)])
                j += 1
            body = "\n\n".join(parts)[:size]
            out.append(LabelledExample(id=f"long-{lang}-{i}", text=body, title=texts[i][:80], lang=lang))
    return out


def print_speed(topic: Topic, examples: list[LabelledExample], *, rounds: int) -> None:
    long = _long_articles(examples)
    for name, batch, with_lang in (
        ("~5,000-char articles, language given", long, True),
        ("~5,000-char articles, language detected", long, False),
    ):
        best = 0.0
        for _ in range(rounds):
            started = time.process_time()
            for e in batch:
                score_text(topic, title=e.title, text=e.text, lang=e.lang if with_lang else None)
            elapsed = time.process_time() - started
            best = max(best, len(batch) / elapsed)
        avg = sum(len(e.text) for e in batch) / len(batch)
        print(
            f"speed, {name}: {best:.0f} articles/s (n={len(batch)}, mean {avg:.0f} chars, CPU time, one core)"
        )


if __name__ == "__main__":
    sys.exit(main())
