"""The lxml fast path gives exactly what newsmon's feedparser path gives, or steps aside (issue #18).

Every fixture is parsed twice, ``parse_feed(fast=True)`` and ``parse_feed(fast=False)``, and the two
ParsedFeeds must be equal field for field. The fixtures are written for this test and are messy on
purpose; each also says whether the fast path is expected to take it, so a fast path that silently
gave up on everything (and so trivially "matched") would fail here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsmon.feeds import fastparse
from newsmon.feeds.parse import parse_feed
from tests.feeds import samples

NOW = datetime(2026, 3, 5, tzinfo=UTC)
URL = "https://tidewater.example/syndication/all.xml"

RSS_MESSY = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:media="http://search.yahoo.com/mrss/" xmlns:tw="urn:tidewater:extra"
     xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Tidewater &amp; District <![CDATA[Weekly]]></title>
  <link>/</link>
  <language>en-au</language>
  <atom:link href="https://tidewater.example/syndication/all.xml" rel="self" type="application/rss+xml"/>
  <item>
    <title><![CDATA[Council votes <b>yes</b> on sea wall & jetty]]></title>
    <link>/news/2026/03/sea-wall?ref=rss&amp;utm=feed</link>
    <guid isPermaLink="false">tw-88121</guid>
    <pubDate>Wed, 04 Mar 2026 09:15:00 +1100</pubDate>
    <dc:creator>Ngaio Parata</dc:creator>
    <description>&lt;p&gt;The vote was 7&amp;ndash;2 &amp;amp; the works start in May.&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>Longer text with <a href="/more">a link</a>.</p>]]></content:encoded>
    <media:content url="https://cdn.tidewater.example/wall.jpg" medium="image">
      <media:title>Sea wall at dusk</media:title>
      <media:credit>Staff</media:credit>
    </media:content>
    <tw:section>Local</tw:section>
    <category>council</category>
  </item>
  <item>
    <title>No guid here, relative link</title>
    <link>../opinion/tides</link>
    <pubDate>Tue, 3 Mar 2026 22:00:00 GMT</pubDate>
    <description>Plain   text
      over two lines</description>
  </item>
  <item>
    <title>Guid is the permalink</title>
    <guid>https://tidewater.example/news/ferry</guid>
    <dc:date>2026-03-02T07:30:00+08:00</dc:date>
    <description><![CDATA[Ferry &amp; bus <script>alert(1)</script>times]]></description>
  </item>
  <item>
    <title>Guid is the permalink</title>
    <guid>https://tidewater.example/news/ferry</guid>
    <dc:date>2026-03-02T07:30:00+08:00</dc:date>
    <description>Duplicate item, as some feeds repeat one</description>
  </item>
  <item>
    <title></title>
    <description>Neither title nor link nor guid; a date in a form some CMSs write</description>
    <pubDate>2026-03-01 10:00:00</pubDate>
    <author>Harbour desk</author>
  </item>
  <item>
    <title>Café reopens – “finally”</title>
    <guid>relative-guid-17</guid>
    <pubDate>Sun, 01 Mar 2026 08:00:00 EST</pubDate>
    <content:encoded><![CDATA[Only a content:encoded body, no description.]]></content:encoded>
  </item>
  <item>
    <title>A date far in the future and one long ago</title>
    <link>https://tidewater.example/news/odd-dates</link>
    <pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate>
  </item>
</channel>
</rss>
"""

ATOM_MESSY = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-nz" xml:base="https://kea.example/blog/">
  <title type="html">Kea &lt;em&gt;Notes&lt;/em&gt;</title>
  <link href="/" rel="alternate" type="text/html"/>
  <link href="feed.atom" rel="self"/>
  <id>tag:kea.example,2026:feed</id>
  <updated>2026-03-04T10:00:00Z</updated>
  <entry>
    <title>Two links, the alternate wins</title>
    <link rel="enclosure" href="/audio/ep1.mp3" type="audio/mpeg"/>
    <link rel="alternate" type="text/html" href="posts/first"/>
    <link rel="replies" href="posts/first#comments"/>
    <id>tag:kea.example,2026:1</id>
    <published>2026-03-04T09:00:00+13:00</published>
    <updated>2026-03-04T11:00:00+13:00</updated>
    <author><name>Mere Tane</name><email>mere@kea.example</email></author>
    <summary type="html">&lt;p&gt;Short &amp;amp; sweet&lt;/p&gt;</summary>
    <content type="html">&lt;p&gt;Long form&lt;/p&gt;</content>
  </entry>
  <entry xml:base="https://kea.example/archive/2025/">
    <title type="text">xml:base on the entry, link without rel</title>
    <link href="old-post"/>
    <id>https://kea.example/archive/2025/old-post</id>
    <updated>2025-12-31T23:59:59-05:00</updated>
    <author><name>Guest</name></author>
    <content type="html"><![CDATA[<div>Only content</div>]]></content>
  </entry>
  <entry>
    <title>No link: the id stands in</title>
    <id>https://kea.example/blog/posts/idlink</id>
    <updated>2026-02-28T12:00:00.250Z</updated>
    <summary>Text summary with &lt;tags&gt; that are text</summary>
  </entry>
</feed>
"""

RDF_MESSY = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://moor.example/">
    <title>Moorland Bulletin</title>
    <link>https://moor.example/</link>
    <description>Notes</description>
    <dc:language>en-gb</dc:language>
  </channel>
  <item rdf:about="https://moor.example/n/1">
    <title>Heather burning season ends</title>
    <link>https://moor.example/n/1?src=rdf&amp;x=1</link>
    <description>Burning stops on 15 April &amp; resumes in October.</description>
    <dc:date>2026-03-03T08:00:00Z</dc:date>
    <dc:creator>Moor Desk</dc:creator>
    <dc:subject>land</dc:subject>
  </item>
  <item rdf:about="https://moor.example/n/2">
    <title>Second note</title>
    <link>/n/2</link>
    <dc:date>2026-03-02</dc:date>
  </item>
</rdf:RDF>
"""

FOREIGN_NAMESPACES = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="https://purl.org/dc/elements/1.1/">
<channel><title>Wrong DC namespace, default-namespaced extras</title><link>https://fen.example/</link>
  <item>
    <title>First</title><link>https://fen.example/1</link>
    <dc:creator>Fen Desk</dc:creator>
    <post-id xmlns="urn:fen:cms">4411</post-id>
    <pubDate>Mon, 02 Mar 2026 12:00:00 +0000</pubDate>
  </item>
</channel></rss>
"""

# feedparser's title/summary bookkeeping depends on element order and depth: each item below stresses
# one rule the fast path replays (see ``fastparse._ItemState``).
ORDER_AND_DEPTH = """<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>O</title>
<item><media:content url="https://o.example/a.jpg"><media:title>Photo caption</media:title>
  <media:description>Photo text</media:description></media:content>
  <title>Story after its photo</title><link>https://o.example/1</link>
  <description>Story text</description></item>
<item><title></title><media:content url="https://o.example/b.jpg"><media:title>Only the caption</media:title>
  </media:content><link>https://o.example/2</link></item>
<item><title>First title</title><title>Second title</title><description>one</description>
  <description>two</description><link>https://o.example/3</link></item>
<item><content:encoded>Body first</content:encoded><description>Then a description</description>
  <description>and another</description><link>https://o.example/4</link></item>
<item><title>Before the source</title><source url="https://s.example/">Syndicated</source>
  <title>After the source</title><link>https://o.example/5</link></item>
<item><image><url>https://o.example/i.png</url><title>Image title</title><link>https://o.example/</link></image>
  <title>Item title after an image</title><link>https://o.example/6</link><dc:title>dc title</dc:title>
  <media:description>Item-level media description</media:description></item>
<item><author xmlns:author="http://www.w3.org/2005/Atom"><name>Rangi Desk </name><title>Night editor</title>
  <department></department></author><title>Title after an author's job title</title>
  <link>https://o.example/7</link></item>
<item><title>Job title after the title</title><link>https://o.example/8</link>
  <author><name>Aroha</name><email>aroha@o.example</email><title>Reporter</title></author></item>
</channel></rss>
"""

GUIDS_AND_USERLAND = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><title>Userland namespace</title>
<link>https://u.example/</link>
<item><title>Two guids, no link</title><guid isPermaLink="false">u-1</guid><guid>https://u.example/1</guid>
  <guid>https://u.example/1b</guid></item>
<item><title>Link between guids</title><guid>https://u.example/2</guid><link>/2-canonical</link>
  <guid isPermaLink="false">u-2</guid></item>
<item><title>Same guid twice</title><guid>/3</guid><guid>/3</guid></item>
</channel></rss>
"""

# Documents the fast path must leave to feedparser: each changes what feedparser reads in a way the
# fast path does not model.
UNDEFINED_ENTITY = samples.rss_with("Caf&eacute; &nbsp; reopens")
DOCTYPE = """<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>https://old.example/</link>
<item><title>One</title><link>https://old.example/1</link></item></channel></rss>
"""
NOT_WELL_FORMED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Broken</title>
<item><title>One & two</title><link>https://broken.example/1</link></item>
<item><title>Three</title><link>https://broken.example/3</link></channel></rss>
"""
BASE64_TYPE = """<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>B</title>
<item><title>Typed</title><link>https://b.example/1</link>
<media:description type="application/octet-stream">U29tZSB0ZXh0</media:description></item></channel></rss>
"""
MEDIA_DESCRIPTION_FIRST = """<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>M</title>
<item><title>Caption first</title><link>https://m.example/1</link>
<media:content url="https://m.example/1.jpg"><media:description>caption</media:description></media:content>
<description>The story</description></item></channel></rss>
"""
UNDECLARED_PREFIX = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>P</title>
<item><title>Prefix never declared</title><link>https://p.example/1</link>
<media:content url="https://p.example/1.jpg"/></item></channel></rss>
"""
SOURCE_ELEMENT = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>S</title>
<item><title>Reposted</title><link>https://s.example/1</link>
<source url="https://elsewhere.example/rss">Elsewhere</source></item></channel></rss>
"""
SCRIPT_TITLE = samples.rss_with(
    "&lt;script&gt;alert('x')&lt;/script&gt;Tide tables", "<![CDATA[<img src=x onerror=alert(1)>Body]]>"
)
SCRIPT_RAW = samples.rss_with("<script>alert('x')</script>Tide tables", "<img src=x onerror=alert(1)>Body")

FAST = {
    "rss": RSS_MESSY,
    "atom": ATOM_MESSY,
    "rdf": RDF_MESSY,
    "foreign": FOREIGN_NAMESPACES,
    "samples.RSS20": samples.RSS20,
    "samples.RDF": samples.RDF,
    "script": SCRIPT_TITLE,
    "order and depth": ORDER_AND_DEPTH,
    "guids and userland": GUIDS_AND_USERLAND,
    "media:description first": MEDIA_DESCRIPTION_FIRST,
    "source": SOURCE_ELEMENT,
}
FALLBACK = {
    "undefined entity": UNDEFINED_ENTITY,
    "doctype": DOCTYPE,
    "not well-formed": NOT_WELL_FORMED,
    "type feedparser reads as base64": BASE64_TYPE,
    "undeclared prefix": UNDECLARED_PREFIX,
    "atom xhtml summary": samples.ATOM,
    "raw script markup": SCRIPT_RAW,
}


def both(text: str) -> tuple[object, object]:
    body = text.encode("utf-8")
    return (
        parse_feed(body, url=URL, now=NOW, fast=True),
        parse_feed(body, url=URL, now=NOW, fast=False),
    )


@pytest.mark.parametrize("name", sorted(FAST))
def test_fast_path_takes_the_feed_and_gives_identical_entries(name: str) -> None:
    text = FAST[name]
    assert isinstance(fastparse.read(text.encode("utf-8"), URL), fastparse.RawFeed), name
    fast, reference = both(text)
    assert fast == reference


@pytest.mark.parametrize("name", sorted(FALLBACK))
def test_unmodelled_documents_fall_back_whole_and_match(name: str) -> None:
    text = FALLBACK[name]
    assert isinstance(fastparse.read(text.encode("utf-8"), URL), str), name
    fast, reference = both(text)
    assert fast == reference


def test_messy_rss_reads_as_expected() -> None:
    """Spot checks that the equal results are also the right ones (not equal by both being empty)."""
    feed, _ = both(RSS_MESSY)
    assert feed.title == "Tidewater & District Weekly" and feed.link == "https://tidewater.example/"
    first, second, third, duplicate, untitled, cafe, future = feed.entries
    assert first.key == "tw-88121"
    assert first.link == "https://tidewater.example/news/2026/03/sea-wall?ref=rss&utm=feed"
    assert first.title == "Council votes yes on sea wall & jetty"
    assert first.summary.startswith("The vote was 7") and first.author == "Ngaio Parata"
    assert first.published == datetime(2026, 3, 3, 22, 15, tzinfo=UTC)
    assert second.link == "https://tidewater.example/opinion/tides" and second.key == second.link
    assert third.link == third.key == "https://tidewater.example/news/ferry"
    assert "alert" not in third.summary and duplicate.key == third.key
    assert untitled.key.startswith("sha256:") and untitled.link is None
    assert cafe.key == "https://tidewater.example/syndication/relative-guid-17"
    assert cafe.summary == "Only a content:encoded body, no description."
    assert future.published is None


def test_atom_alternate_link_xml_base_and_authors() -> None:
    feed, _ = both(ATOM_MESSY)
    first, second, third = feed.entries
    assert first.link == "https://kea.example/blog/posts/first"
    assert first.summary == "Short & sweet" and first.author == "Mere Tane (mere@kea.example)"
    assert second.link == "https://kea.example/archive/2025/old-post" and second.summary == "Only content"
    assert third.link == "https://kea.example/blog/posts/idlink"
    assert feed.lang == "en-nz" and feed.title == "Kea Notes"


def test_script_in_titles_stays_text_on_the_fast_path() -> None:
    feed, _ = both(SCRIPT_TITLE)
    (entry,) = feed.entries
    assert entry.title == "Tide tables" and entry.summary == "Body"
