"""`newsmon topics ...`: list, check, explain, evaluate and train topics.

evaluate and train read labelled examples from a JSONL file (``--labels``) or from the analysts'
verdicts stored in the database (``--from-feedback``, database from the global ``--db``).

The topics directory is, in order: ``--topics-dir``, ``$NEWSMON_TOPICS_DIR``, ``./config/topics`` when
run from a checkout, else the repository's ``config/topics`` next to the installed package.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ENV_DIR = "NEWSMON_TOPICS_DIR"
MAX_INLINE_PATH = 4096


def default_topics_dir() -> Path:
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    here = Path.cwd() / "config" / "topics"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "config" / "topics"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("topics", help="topic definitions: list, check, explain, evaluate, train")
    p.add_argument("--topics-dir", type=Path, default=None, help=f"default: ${ENV_DIR} or config/topics")
    sub = p.add_subparsers(dest="topics_command", metavar="ACTION")

    q = sub.add_parser("list", help="list the topics with threshold, languages and recipients")
    q.set_defaults(func=cmd_list)

    q = sub.add_parser("check", help="validate topic files; errors read FILE:LINE: problem")
    q.add_argument("directory", nargs="?", type=Path, help="topics directory (default: the topics dir)")
    q.set_defaults(func=cmd_check)

    q = sub.add_parser("explain", help="score a text, file or URL and show the features and evidence")
    q.add_argument("source", help="the text itself, a file path, or an http(s) URL")
    q.add_argument("--topic", help="only this topic (default: all)")
    q.add_argument("--title", default="", help="the article title, if not part of the text")
    q.add_argument("--lang", default=None, help="language code (default: detected)")
    q.add_argument("--json", action="store_true", help="print the stored JSON form instead")
    q.set_defaults(func=cmd_explain)

    q = sub.add_parser("evaluate", help="precision/recall/F1 of a topic on a label file or stored feedback")
    _source_arguments(q)
    q.add_argument("--topic", default=None, help="topic name (default: every topic)")
    q.add_argument("--threshold", type=float, default=None)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_evaluate)

    q = sub.add_parser("train", help="train the learned layer; it is enabled only if it beats the rules")
    _source_arguments(q)
    q.add_argument("--topic", required=True)
    q.add_argument("--out", type=Path, default=None, help="model file (default: beside the topic file)")
    q.add_argument(
        "--folds",
        type=int,
        default=5,
        help="group k-fold by event/site for the held-out comparison (default 5)",
    )
    q.set_defaults(func=cmd_train)

    q = sub.add_parser(
        "preview",
        help="score the stored archive with a topic file (new or edited) and show what would flag or "
        "stop flagging compared with the flags stored now; writes nothing",
    )
    q.add_argument("file", type=Path, help="the topic file to try (a draft anywhere, or the live file)")
    q.add_argument("--topic", default=None, help="the topic's name (default: the file's name)")
    q.add_argument(
        "--since", default=None, help="stories with a copy within this span, e.g. 30d (default 30d)"
    )
    q.add_argument("--limit", type=int, default=20, help="stories shown per list (default 20)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_preview)

    q = sub.add_parser(
        "backfill",
        help="re-score the archive with the current version of a topic (or of every new or edited topic); "
        "old stories go into one summary email per recipient",
    )
    q.add_argument("--topic", default=None, help="only this topic (default: every new or edited topic)")
    q.add_argument("--since", default=None, help="stories with a copy within this span (default 30d)")
    q.add_argument("--smtp", metavar="URL", help="SMTP server for the summary (default $NEWSMON_SMTP_URL)")
    q.set_defaults(func=cmd_backfill)

    q = sub.add_parser("backfills", help="the recent backfills and what they did")
    q.add_argument("--limit", type=int, default=20)
    q.set_defaults(func=cmd_backfills)

    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _source_arguments(q: argparse.ArgumentParser) -> None:
    source = q.add_mutually_exclusive_group(required=True)
    source.add_argument("--labels", type=Path, help="JSONL: id, text, title?, lang?, kind?, label")
    source.add_argument(
        "--from-feedback",
        action="store_true",
        help="analysts' stored verdicts (majority per story; ties left out); database from --db",
    )


class _Examples:
    """Where evaluate/train read their examples: one label file for every topic, or each topic's
    own stored feedback (read from the database once)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.labels: list[Any] | None = None
        self.votes: list[Any] | None = None

    def load(self) -> str | None:
        """Read the source; return an error message or None."""
        if self.args.labels is not None:
            from newsmon.topics.evaluate import LabelFileError, read_labels

            try:
                self.labels = read_labels(self.args.labels)
            except (OSError, LabelFileError) as exc:
                return str(exc)
            return None
        from sqlalchemy.exc import SQLAlchemyError

        from newsmon.cli.common import settings_from_args
        from newsmon.store.db import session_scope
        from newsmon.store.feedback import feedback_votes

        settings = settings_from_args(self.args)
        try:
            with session_scope(settings.db_url) as session:
                self.votes = feedback_votes(session, topic=getattr(self.args, "topic", None))
        except SQLAlchemyError as exc:
            return f"cannot read feedback from the database: {exc.__class__.__name__}: {exc}"
        return None

    def for_topic(self, name: str) -> tuple[list[Any], str]:
        """(examples, a line describing where they came from)."""
        if self.labels is not None:
            return self.labels, f"{len(self.labels)} labelled examples from {self.args.labels}"
        from newsmon.topics.feedback import examples_from_votes

        got = examples_from_votes(self.votes or [], topic=name)
        pos = sum(e.label for e in got.examples)
        note = (
            f"{len(got.examples)} stories with feedback ({pos} relevant, {len(got.examples) - pos} not)"
            f"; left out: {got.ties} tied, {got.without_text} without text"
        )
        return list(got.examples), note


def _topics(args: argparse.Namespace) -> list[Any] | None:
    from newsmon.topics.model import TopicConfigError, load_topics

    directory = args.topics_dir or default_topics_dir()
    try:
        return load_topics(directory)
    except TopicConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _select(args: argparse.Namespace, name: str | None) -> list[Any] | None:
    topics = _topics(args)
    if topics is None:
        return None
    if name:
        topics = [t for t in topics if t.name == name]
        if not topics:
            print(f"error: no topic named {name!r}", file=sys.stderr)
            return None
    return topics


def cmd_list(args: argparse.Namespace) -> int:
    topics = _topics(args)
    if topics is None:
        return 1
    for t in topics:
        state = "" if t.enabled else "  (disabled)"
        print(
            f"{t.name}{state}\n  {t.title}\n  threshold {t.threshold}  languages {', '.join(t.languages)}  "
            f"rules {len(t.positive_rules)}+{len(t.negative_rules)} negative\n"
            f"  recipients {', '.join(t.recipients) or '-'}\n  file {t.path}"
        )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from newsmon.topics.learned import load_model, model_path
    from newsmon.topics.model import check_topics, load_topic

    directory = args.directory or args.topics_dir or default_topics_dir()
    errors = check_topics(directory)
    for e in errors:
        print(e)
    files = sorted(p for p in Path(directory).glob("*.y*ml")) if Path(directory).is_dir() else []
    for p in files:
        model_file = p.with_name(f"{p.stem}.model.json")
        if model_file.is_file():
            try:
                load_model(model_file)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                errors.append(f"{model_file}:1: unreadable learned model: {exc}")
                print(errors[-1])
    if not errors:
        for p in files:
            t = load_topic(p)
            print(
                f"ok  {p}  ({t.name}: {len(t.concepts)} concepts, {len(t.rules)} rules, "
                f"{len(t.languages)} languages"
                f"{', learned model present' if (mp := model_path(t)) and mp.is_file() else ''})"
            )
            _print_coverage(t)
    return 1 if errors else 0


def _print_coverage(topic: Any) -> None:
    """Per language: morphology, how many terms, which rule concepts lack terms; then the rest."""
    from newsmon.topics.languages import NEAR
    from newsmon.topics.model import NEUTRAL, language_coverage

    print(f"  {'lang':<5}{'language':<26}{'terms':>6}  {'morphology':<62}missing concepts")
    for c in language_coverage(topic):
        missing = ", ".join(c.missing) or "-"
        print(f"  {c.lang:<5}{c.name:<26}{c.terms:>6}  {c.morphology:<62}{missing}")
    neutral = sum(len(per.get(NEUTRAL, ())) for per in topic.concepts.values())
    print(f"  any  language-neutral names      {neutral:>4}  (read in every language, covered or not)")
    near = sorted(f"{k}->{'/'.join(c for c in v if c in topic.languages)}" for k, v in NEAR.items()
                  if k not in topic.languages and any(c in topic.languages for c in v))  # fmt: skip
    if near:
        print(f"  read with a close language (flags marked 'language not covered'): {', '.join(near)}")
    print("  any other language: names only, flags marked 'language not covered'")


def read_source(source: str) -> tuple[str, str, str | None]:
    """Return (title, text, error) for TEXT, a file path, or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        from newsmon.config.settings import load_settings
        from newsmon.extract.fetch import fetch_article
        from newsmon.http.client import HttpPolicy

        result = fetch_article(source, policy=HttpPolicy(allowed_private=load_settings().allowed_private))
        extracted = result.extracted
        if result.status == "error" or extracted is None or not extracted.text:
            return "", "", f"could not fetch {source}: {result.reason or 'no text extracted'}"
        return extracted.title or "", extracted.text, None
    if len(source) < MAX_INLINE_PATH and "\n" not in source:
        path = Path(source)
        try:
            if path.is_file():
                return "", path.read_text(encoding="utf-8", errors="replace"), None
        except OSError as exc:
            return "", "", f"cannot read {source}: {exc}"
    return "", source, None


def cmd_explain(args: argparse.Namespace) -> int:
    from newsmon.topics.highlight import bracket_terms
    from newsmon.topics.learned import apply_learned, load_model_for
    from newsmon.topics.score import score_text

    title, text, error = read_source(args.source)
    if error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    title = args.title or title
    topics = _select(args, args.topic)
    if topics is None:
        return 1
    results = []
    for t in topics:
        result = apply_learned(load_model_for(t), score_text(t, title=title, text=text, lang=args.lang))
        results.append(result)
        if args.json:
            continue
        verdict = "FLAGGED" if result.flagged else "not flagged"
        print(
            f"{t.name}: score {result.score:.3f} (threshold {t.threshold}) -> {verdict}   "
            f"lang {result.lang or '?'}"
        )
        if result.language_note:
            print(f"  {result.language_note}")
        if result.learned_probability is not None:
            print(f"  learned layer: probability {result.learned_probability:.3f} decided the flag")
        active = {k: v for k, v in result.features.items() if v}
        print("  features:" + ("" if active else " none"))
        for k, v in sorted(active.items(), key=lambda kv: -abs(kv[1])):
            print(f"    {k:<30} {v:+.3f}  ({result.counts.get(k, 0):g} sentence(s))")
        print("  evidence:" + ("" if result.evidence else " none"))
        for e in result.evidence:
            where = "title" if e.in_title else "text"
            print(
                f"    {e.weight:+.2f} [{where}; {', '.join(e.concepts)}] {bracket_terms(e.sentence, e.terms)}"
            )
    if args.json:
        print(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
    return 0


def _examples_and_topics(args: argparse.Namespace) -> tuple[_Examples, list[Any]] | None:
    """What evaluate and train both start from; None after printing why it cannot start."""
    source = _Examples(args)
    error = source.load()
    if error:
        print(f"error: {error}", file=sys.stderr)
        return None
    topics = _select(args, args.topic)
    return None if topics is None else (source, topics)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from newsmon.topics.evaluate import evaluate
    from newsmon.topics.highlight import bracket_terms

    loaded = _examples_and_topics(args)
    if loaded is None:
        return 1
    source, topics = loaded
    for t in topics:
        examples, origin = source.for_topic(t.name)
        if not examples:
            if args.json:
                print(json.dumps({"topic": t.name, "examples": 0, "source": origin}))
            else:
                print(f"{t.name}: nothing to evaluate ({origin})")
            continue
        ev = evaluate(t, examples, threshold=args.threshold)
        if args.json:
            print(json.dumps(ev.to_json(), ensure_ascii=False, indent=2))
            continue
        print(f"{t.name}: {origin}")
        o = ev.overall
        print(
            f"{t.name}: n={o.n} precision {o.precision:.3f} recall {o.recall:.3f} F1 {o.f1:.3f} "
            f"(threshold {ev.threshold}); hard-negative precision {ev.hard_negative_precision:.3f}"
        )
        print(f"  suggested threshold {ev.suggested_threshold} (F1 {ev.suggested_f1:.3f} on these examples)")
        for group, table in (("language", ev.by_lang), ("kind", ev.by_kind)):
            for k, m in table.items():
                print(f"  {group} {k:<18} n={m.n:<4} P={m.precision:.3f} R={m.recall:.3f} F1={m.f1:.3f}")
        for label, mistakes in (
            ("false positive", ev.false_positives),
            ("false negative", ev.false_negatives),
        ):
            for mistake in mistakes:
                print(f"  {label}: {mistake.id} score {mistake.score:.3f} {mistake.title[:70]!r}")
                for e in mistake.evidence[:2]:
                    print(f"      {e.weight:+.2f} {bracket_terms(e.sentence, e.terms)[:160]}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from newsmon.topics.learned import model_path, save_model, train_learned

    loaded = _examples_and_topics(args)
    if loaded is None:
        return 1
    source, topics = loaded
    topic = topics[0]
    examples, origin = source.for_topic(topic.name)
    print(f"{topic.name}: {origin}")
    model = train_learned(topic, examples, folds=args.folds)
    out = args.out or model_path(topic)
    if out is None:
        print("error: the topic has no file to save the model beside; pass --out", file=sys.stderr)
        return 1
    save_model(model, out)
    state = "ENABLED" if model.usable else "not enabled"
    h = model.holdout
    if "rules" in h:
        print(
            f"  held-out figures ({h['split']}; no example is scored by a model or threshold fitted on it):"
        )
        for who, label in (
            ("rules", f"rules, threshold {topic.threshold}"),
            ("rules_fitted_threshold", "rules, threshold fitted on the other folds"),
            ("model", "learned layer"),
        ):
            m = h[who]
            print(
                f"    {label:<44} n={m['n']} precision {m['precision']:.3f} recall {m['recall']:.3f} "
                f"F1 {m['f1']:.3f}"
            )
        print(
            f"  threshold that fits all these examples best: {h['fitted_threshold']} "
            f"(topic has {topic.threshold})"
        )
    print(f"{topic.name}: learned layer {state}: {model.reason}\n  saved to {out}")
    return 0


# ------------------------------------------------------------------------------- preview and backfill


def _workflow_settings(args: argparse.Namespace) -> tuple[Any, Any] | None:
    """(settings with --db and --topics-dir applied, --since as a timedelta or None); None after printing
    why --since is not a duration."""
    from newsmon.cli.common import settings_from_args
    from newsmon.config.settings import parse_duration

    try:
        since = parse_duration(args.since) if args.since is not None else None
    except ValueError as exc:
        print(f"error: --since: {exc}", file=sys.stderr)
        return None
    settings = settings_from_args(args)
    if args.topics_dir:
        settings = settings.with_(topics_dir=args.topics_dir)
    return settings, since


def cmd_preview(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from newsmon.store.db import upgrade
    from newsmon.topics.model import TopicConfigError
    from newsmon.topics.preview import load_candidate, preview_topic

    prepared = _workflow_settings(args)
    if prepared is None:
        return 2
    settings, since = prepared
    try:
        candidate, live = load_candidate(args.file, settings.topics_dir, args.topic)
    except TopicConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    upgrade(settings.db_url)
    start = datetime.now(UTC) - (since or settings.backfill_since)
    result = preview_topic(settings.db_url, candidate, since=start, limit=max(args.limit, 0), live=live)
    if args.json:
        print(json.dumps(_preview_json(result), ensure_ascii=False, indent=2, default=str))
    else:
        _print_preview(result)
    return 0


def _preview_json(result: Any) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(result)
    data["changed"] = result.changed
    return data


def _print_preview(p: Any) -> None:
    from newsmon.topics.highlight import bracket_terms
    from newsmon.topics.version import short

    state = "a new topic" if p.new_topic else ("edited" if p.changed else "the live version")
    live = f"; live version {short(p.live_hash)}" if p.live_hash else ""
    print(
        f"{p.topic}: version {short(p.topic_hash)} ({state}{live}); {p.stories} stories, {p.copies} copies "
        f"with a copy since {p.since:%Y-%m-%d %H:%M} UTC, scored in {p.seconds:.1f} s; nothing was written"
    )
    print(
        f"  would flag {p.would_flag_total} not flagged now; would stop flagging {p.would_unflag_total} of "
        f"{p.stored} flagged now; {p.still_flagged} stay flagged"
    )
    if p.outdated:
        print(f"  {p.outdated} stored flag(s) scored by another version: `newsmon topics backfill` re-scores")
    for label, rows, total in (
        ("WOULD FLAG", p.would_flag, p.would_flag_total),
        ("WOULD STOP FLAGGING", p.would_unflag, p.would_unflag_total),
    ):
        if not total:
            continue
        print(f"\n{label} ({total}{', best ' + str(len(rows)) if len(rows) < total else ''}):")
        for r in rows:
            stored = f"stored {r.stored_score:.2f} -> " if r.stored_score is not None else ""
            live_score = f"; live file {r.live_score:.2f}" if r.live_score is not None else ""
            print(
                f"  story {r.story_id}: {stored}{r.score:.2f} (threshold {r.threshold:g}{live_score}), "
                f"{r.copies_count} cop{'y' if r.copies_count == 1 else 'ies'}: {r.title[:90]}"
            )
            if r.language_note:
                print(f"      {r.language_note}")
            for e in r.evidence[:3]:
                print(f"      {e.weight:+.2f} {bracket_terms(e.sentence, e.terms)[:200]}")


def cmd_backfill(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from newsmon import pipeline
    from newsmon.cli.alerts import _smtp
    from newsmon.store.db import upgrade
    from newsmon.topics.backfill import BackfillError, run_backfill
    from newsmon.topics.model import TopicConfigError

    prepared = _workflow_settings(args)
    if prepared is None:
        return 2
    settings, since = prepared
    smtp = _smtp(args)
    upgrade(settings.db_url)
    try:
        counts = run_backfill(settings, topic=args.topic, since=since, smtp=smtp, now=datetime.now(UTC))
    except (BackfillError, TopicConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    alerts = pipeline.send_alerts(settings, smtp)  # the newer stories' own alerts
    print(", ".join(f"{k} {v}" for k, v in counts.items()))
    print("alerts: " + ", ".join(f"{k} {v}" for k, v in alerts.items()))
    if smtp is None and (counts.get("summaries_pending") or alerts.get("pending")):
        print("no SMTP server: pass --smtp URL or set NEWSMON_SMTP_URL; the emails wait")
    return 0


def cmd_backfills(args: argparse.Namespace) -> int:
    from newsmon.cli.common import settings_from_args
    from newsmon.store.backfills import list_backfills, summary_states
    from newsmon.store.db import session_scope, upgrade
    from newsmon.topics.version import short

    settings = settings_from_args(args)
    upgrade(settings.db_url)
    with session_scope(settings.db_url) as session:
        rows = [(b, summary_states(session, b.id)) for b in list_backfills(session, limit=args.limit)]
    if not rows:
        print("no backfills yet")
    for b, summaries in rows:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(b.counts.items())) or "-"
        print(
            f"#{b.id} {b.topic} version {short(b.topic_hash)} {b.status}; since {b.since:%Y-%m-%d}; {counts}"
        )
        for recipient, status in sorted(summaries.items()):
            print(f"    summary to {recipient}: {status}")
    return 0
