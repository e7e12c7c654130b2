"""Rebuild the self-collected real story set (ARTICLES/PAIRS for bench/stories.py) from its texts.

The texts are third-party articles, so they are kept out of the repository: they live under
bench/out/stories-real/raw/*.txt (git-ignored), collected with the search tool's stored pages
(the page's first ~2,000 characters, as the judgement-dev set). Only their URLs and the labels are
committed, in bench/data/stories/real-urls.jsonl (one pair a line: url_a, url_b, label, kind, lang, note).

Raw text files hold records of this form (the text runs to the next ``@@@`` line)::

    @@@ URL
    lang: xx
    published: 2025-12-05        (optional)
    title: ...                   (optional)

    text ...

Run:  .venv/bin/python bench/data/stories/real_set.py [RAW_DIR] [OUT_DIR]
then: .venv/bin/python bench/stories.py OUT_DIR/articles.jsonl OUT_DIR/pairs.jsonl
Articles no pair names are dropped; a pair naming a URL without text is reported and left out.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
LABELS = HERE / "real-urls.jsonl"
_HEADER_KEYS = ("lang", "published", "title")


def read_raw(raw_dir: Path) -> dict[str, dict]:
    """url -> article (url, text, lang, published, title) from every raw file, in file order."""
    articles: dict[str, dict] = {}
    for path in sorted(raw_dir.glob("*.txt")):
        for block in path.read_text(encoding="utf-8").split("@@@ ")[1:]:
            head, _, body = block.partition("\n")
            url = head.strip()
            article: dict = {"url": url}
            lines = body.split("\n")
            while lines and ":" in lines[0] and lines[0].split(":", 1)[0] in _HEADER_KEYS:
                key, value = lines.pop(0).split(":", 1)
                if value.strip():
                    article[key] = value.strip()
            if lines and not lines[0].strip():
                lines.pop(0)
            article["text"] = "\n".join(lines).rstrip("\n")
            if url in articles:
                print(f"{path.name}: {url} given twice, the later text kept", file=sys.stderr)
            articles[url] = article
    return articles


def build(raw_dir: Path, out_dir: Path) -> tuple[int, int]:
    articles = read_raw(raw_dir)
    pairs = []
    for n, line in enumerate(LABELS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        pair = json.loads(line)
        missing = [u for u in (pair["url_a"], pair["url_b"]) if u not in articles]
        if missing:
            print(f"{LABELS.name}:{n}: no text for {', '.join(missing)}; pair left out", file=sys.stderr)
            continue
        pairs.append(pair)
    used = {u for p in pairs for u in (p["url_a"], p["url_b"])}
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "articles.jsonl").open("w", encoding="utf-8") as f:
        for url, article in articles.items():
            if url in used:
                f.write(json.dumps(article, ensure_ascii=False) + "\n")
    with (out_dir / "pairs.jsonl").open("w", encoding="utf-8") as f:
        for pair in pairs:
            f.write(json.dumps(pair, ensure_ascii=False) + "\n")
    return len(used), len(pairs)


def main(argv: list[str]) -> int:
    raw_dir = Path(argv[0]) if argv else ROOT / "bench/out/stories-real/raw"
    out_dir = Path(argv[1]) if len(argv) > 1 else ROOT / "bench/out/stories-real"
    n_articles, n_pairs = build(raw_dir, out_dir)
    print(f"{out_dir}/articles.jsonl: {n_articles} articles; {out_dir}/pairs.jsonl: {n_pairs} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
