"""Rebuild a labels file for `bench/topics.py` from the real articles kept outside the repository.

    .venv/bin/python bench/topics_real.py build OUT.jsonl [--batch 3] [--texts DIR]
    .venv/bin/python bench/topics_real.py export --batch 3 [--texts DIR]   # append URLs + labels
    .venv/bin/python bench/topics_real.py check [--texts DIR]              # overlaps, missing texts

`bench/data/topics/real-urls.jsonl` (committed) holds what may be in the repository about each real
article: id, URL, language, kind, label, batch and a note. The articles' texts are third-party text and
stay under the ignored `bench/out/topics-real/texts/`: JSONL files (url, title, text) or record files
written while collecting, one record per article::

    @@ id=real-c001 lang=sv label=1 kind=positive batch=3
    url: https://...
    note: why this label (BORDERLINE marked)
    title: the headline, or empty
    ---
    the text, as stored by the search tool (its first ~2,000 characters)

`build` joins the two by URL into the JSONL format `bench/topics.py` reads; the labels always come from
the committed file. `export` appends the records of a batch (without their text) to the committed file.
`check` reports URLs that also occur in judgement-dev or twice, and labelled URLs without a text.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
URLS = REPO / "bench" / "data" / "topics" / "real-urls.jsonl"
TEXTS = REPO / "bench" / "out" / "topics-real" / "texts"
DEV = Path("/work/shared/corpora/judgement-dev/topic-labels.jsonl")
_HEAD_RE = re.compile(r"(\w+)=(\S+)")


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """The articles of one record file (see the module docstring)."""
    text = path.read_text(encoding="utf-8")
    for chunk in text.split("\n@@ ")[0:]:
        chunk = chunk.removeprefix("@@ ").strip("\n")
        if not chunk.strip():
            continue
        head, _, rest = chunk.partition("\n")
        meta = dict(_HEAD_RE.findall(head))
        fields, _, body = rest.partition("\n---\n")
        for line in fields.splitlines():
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
        meta["text"] = body.strip()
        meta["label"] = int(meta["label"])
        meta["batch"] = int(meta.get("batch", 0))
        yield meta


def read_texts(directory: Path) -> dict[str, dict[str, Any]]:
    """url -> the stored article (title, text and whatever else its file says)."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*")):
        if path.suffix == ".jsonl":
            rows = [
                json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
        elif path.suffix == ".txt":
            rows = list(read_records(path))
        else:
            continue
        for row in rows:
            out[row["url"]] = row
    return out


def read_urls() -> list[dict[str, Any]]:
    return [json.loads(line) for line in URLS.read_text(encoding="utf-8").splitlines() if line.strip()]


def batch_of(row: dict[str, Any]) -> int:
    """The batch marker; the first round's lines carry none (r* = batch 1, b* = batch 2)."""
    if "batch" in row:
        return int(row["batch"])
    return 2 if row["id"].startswith("real-b") else 1


def build(out: Path, batch: int | None, texts_dir: Path) -> int:
    texts = read_texts(texts_dir)
    written = missing = 0
    with out.open("w", encoding="utf-8") as fh:
        for row in read_urls():
            if batch is not None and batch_of(row) != batch:
                continue
            stored = texts.get(row["url"])
            if stored is None:
                missing += 1
                continue
            item = {
                "id": row["id"],
                "url": row["url"],
                "title": stored.get("title", ""),
                "text": stored["text"],
                "lang": row["lang"],
                "kind": row["kind"],
                "label": row["label"],
            }
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
            written += 1
    print(
        f"{written} examples -> {out}"
        + (f" ({missing} labelled URLs have no stored text)" if missing else "")
    )
    return 0


def export(batch: int, texts_dir: Path) -> int:
    have = {row["url"] for row in read_urls()}
    records = [r for p in sorted(texts_dir.glob("*.txt")) for r in read_records(p) if r["batch"] == batch]
    new = [r for r in records if r["url"] not in have]
    with URLS.open("a", encoding="utf-8") as fh:
        for r in new:
            line = {k: r[k] for k in ("id", "url", "lang", "kind", "label")}
            line["batch"] = batch
            if r.get("note"):
                line["note"] = r["note"]
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"batch {batch}: {len(new)} URLs appended to {URLS} ({len(records) - len(new)} already there)")
    return 0


def _key(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/").lower()


def check(texts_dir: Path) -> int:
    rows = read_urls()
    dev = {
        _key(json.loads(line)["url"]) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()
    }
    seen: dict[str, str] = {}
    problems = 0
    for row in rows:
        key = _key(row["url"])
        if key in dev:
            print(f"{row['id']}: also in judgement-dev: {row['url']}")
            problems += 1
        if key in seen:
            print(f"{row['id']}: same URL as {seen[key]}: {row['url']}")
            problems += 1
        seen[key] = row["id"]
    texts = read_texts(texts_dir)
    for row in rows:
        if row["url"] not in texts:
            print(f"{row['id']}: no stored text")
    ids = [row["id"] for row in rows]
    if len(set(ids)) != len(ids):
        print("duplicate ids")
        problems += 1
    print(f"{len(rows)} labelled URLs, {problems} problem(s)")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=("build", "export", "check"))
    ap.add_argument("out", type=Path, nargs="?")
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--texts", type=Path, default=TEXTS)
    args = ap.parse_args(argv)
    if args.command == "build":
        if args.out is None:
            ap.error("build needs OUT.jsonl")
        return build(args.out, args.batch, args.texts)
    if args.command == "export":
        if args.batch is None:
            ap.error("export needs --batch")
        return export(args.batch, args.texts)
    return check(args.texts)


if __name__ == "__main__":
    sys.exit(main())
