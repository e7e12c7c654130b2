"""More copies of a demo story, published while the demo server runs: what a story looks like when it
surges (many sites reprinting it within hours).

`publish_copies` reprints the wire story's paragraphs on pages carrying other papers' names (the page's
`og:site_name`, which is what newsmon records as a copy's site), dated `published`, and lists them at
the top of the daily paper's Atom feed through the server's overlay; the next poll of that feed finds
them and the fold joins them to the wire story. Nothing in `site/` changes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from newsmon.demo.server import DemoServer

WIRE_STORY = "/wire/2026/03/kyrgyzstan-flies-home-41-children-from-syrian-camp.html"
FEED = "/daily/atom.xml"
# Fictional papers that take the wire: invented names, like every site of the demo corpus.
PAPERS = ("Saltcombe Gazette", "Leven Valley Post", "Northgate Herald", "Brackenridge Observer", "Tarn Daily")


def story_paragraphs(server: DemoServer, path: str = WIRE_STORY) -> list[str]:
    """The story's own paragraphs (inside its story body), as HTML fragments."""
    page = server.source(path).decode("utf-8")
    body = page.split('<div class="story-body">', 1)[1].split("</div>", 1)[0]
    return re.findall(r"<p>(.*?)</p>", body, flags=re.S)


def _page(paper: str, title: str, paragraphs: Sequence[str], published: str) -> str:
    name, title = html.escape(paper), html.escape(title)
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | {name}</title>
<meta property="og:site_name" content="{name}"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}"></head>
<body><header><a href="/">{name}</a></header>
<main><article><h1>{title}</h1><p class="byline">Wire report</p>
{body}
</article></main><footer><p>{name}: a fictional paper of the newsmon demo.</p></footer></body></html>"""


def publish_copies(
    server: DemoServer,
    *,
    count: int,
    published: datetime,
    papers: Sequence[str] = PAPERS,
    story: str = WIRE_STORY,
    tag: str = "surge",
) -> list[str]:
    """Publish `count` reprints of `story` on `papers` (in turn), all dated `published`; returns their
    paths. `tag` keeps the paths of separate calls apart."""
    paragraphs = story_paragraphs(server, story)
    title = re.sub(r"<[^>]+>", "", paragraphs[0])[:80].rsplit(" ", 1)[0] if paragraphs else "Wire report"
    when = published.strftime("%Y-%m-%dT%H:%M:%SZ")
    feed = server.source(FEED).decode("utf-8")
    paths, entries = [], []
    for i in range(count):
        paper = papers[i % len(papers)]
        slug = re.sub(r"[^a-z0-9]+", "-", paper.lower()).strip("-")
        path = f"/reprints/{tag}/{slug}-{i + 1}.html"
        server.overlay[path] = _page(paper, f"{title} ({paper})", paragraphs, when)
        entries.append(
            f"<entry><id>tag:newsmon-demo,2026:{tag}-{slug}-{i + 1}</id>"
            f'<title type="text">{escape(title)} ({escape(paper)})</title>'
            f'<link rel="alternate" type="text/html" href="{{{{BASE}}}}{path}"/>'
            f"<published>{when}</published><updated>{when}</updated></entry>\n  "
        )
        paths.append(path)
    server.overlay[FEED] = feed.replace("<entry>", "".join(entries) + "<entry>", 1)
    return paths
