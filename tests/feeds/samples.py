"""Small feed documents written for these tests (no third-party text)."""

from __future__ import annotations

RSS20 = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
 <channel>
  <title>Harbour Gazette</title>
  <link>https://gazette.example/</link>
  <language>en-gb</language>
  <item>
   <title>Ferry timetable &amp; fares change &lt;b&gt;today&lt;/b&gt;</title>
   <link>/news/ferry-timetable</link>
   <guid isPermaLink="false">gazette-0001</guid>
   <description><![CDATA[<p>The <em>morning</em> ferry now leaves at 7:10.<script>alert(1)</script></p>]]>
   </description>
   <pubDate>Tue, 03 Mar 2026 09:30:00 +0100</pubDate>
   <author>desk@gazette.example (Port Desk)</author>
  </item>
  <item>
   <title>Lighthouse repainted</title>
   <link>https://gazette.example/news/lighthouse</link>
   <description>Red and white again.</description>
   <pubDate>Mon, 02 Mar 2026 18:00:00 GMT</pubDate>
  </item>
  <item>
   <title>Untitled note without link or id</title>
   <description>Only words here.</description>
  </item>
 </channel>
</rss>
"""

RSS091 = """<?xml version="1.0"?>
<rss version="0.91">
 <channel>
  <title>Old Style</title><link>http://old.example/</link><description>d</description><language>en-us</language>
  <item><title>First post</title><link>http://old.example/1</link><description>Hello</description></item>
 </channel>
</rss>
"""

RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
 <channel rdf:about="http://rdf.example/">
  <title>Valley Notes</title><link>http://rdf.example/</link><description>d</description>
  <items><rdf:Seq><rdf:li rdf:resource="http://rdf.example/a"/></rdf:Seq></items>
 </channel>
 <item rdf:about="http://rdf.example/a">
  <title>River level falls</title><link>http://rdf.example/a</link>
  <dc:date>2026-02-10T08:00:00+02:00</dc:date>
  <description>Gauge reads 1.2 m.</description>
 </item>
</rdf:RDF>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de" xml:base="https://atom.example/blog/">
 <title type="text">Bergblog</title>
 <link href="https://atom.example/blog/"/>
 <id>urn:uuid:5e3c1d0a-feed-4000-8000-000000000001</id>
 <updated>2026-01-05T10:00:00Z</updated>
 <entry>
  <title type="html">Schnee &amp;lt;em&amp;gt;am&amp;lt;/em&amp;gt; Pass</title>
  <link rel="alternate" href="posts/schnee"/>
  <id>urn:uuid:5e3c1d0a-entry-4000-8000-000000000002</id>
  <updated>2026-01-05T10:00:00Z</updated>
  <author><name>Anna Berg</name></author>
  <summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Zwanzig <b>Zentimeter</b>.</div></summary>
 </entry>
</feed>
"""

JSON_FEED = """{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Orchard Weekly",
  "home_page_url": "https://orchard.example/",
  "language": "en",
  "authors": [{"name": "Orchard Team"}],
  "items": [
    {"id": "apple-42", "url": "/weekly/42", "title": "Apples <i>early</i> this year",
     "content_html": "<p>Harvest starts in <b>August</b>.</p>",
     "date_published": "2026-02-01T12:00:00-05:00"},
    {"id": 43, "external_url": "https://elsewhere.example/pears", "content_text": "Pears, plain text.",
     "date_modified": "2026-02-02T00:00:00Z", "author": {"name": "Pat"}}
  ]
}
"""

JSON_FEED_10 = """{"version": "https://jsonfeed.org/version/1", "title": "Old JSON",
 "items": [{"id": "1", "url": "https://j.example/1", "title": "One", "summary": "S"}]}"""


def rss_with(title: str, body: str = "", encoding: str | None = None) -> str:
    decl = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else ""
    return (
        f'{decl}<rss version="2.0"><channel><title>{title}</title><link>https://enc.example/</link>'
        f"<item><title>{title}</title><guid>enc-1</guid><description>{body}</description></item>"
        "</channel></rss>"
    )


CYRILLIC = "Новости Приволжья: мост через реку откроют весной после ремонта опор"
CYRILLIC_BODY = "Работы на мосту продлятся до апреля, движение будет перекрыто по ночам. " * 3
LATIN1 = "Café crème à la façade: été prochain, garçon!"
CHINESE = "江南水乡春季旅游人数创新高"
CHINESE_BODY = "今年春天，江南各地游客数量明显增加，古镇的酒店和餐馆生意兴隆。"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY ha "hahahahahahahahahaha">
 <!ENTITY ha1 "&ha;&ha;&ha;&ha;&ha;&ha;&ha;&ha;&ha;&ha;">
 <!ENTITY ha2 "&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;">
 <!ENTITY ha3 "&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;">
 <!ENTITY ha4 "&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;">
 <!ENTITY ha5 "&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;">
 <!ENTITY ha6 "&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;">
 <!ENTITY ha7 "&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;">
 <!ENTITY ha8 "&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;">
 <!ENTITY ha9 "&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;">
]>
<rss version="2.0"><channel><title>Laughs</title>
<item><title>Joke &ha9;</title><guid>laugh-1</guid><description>&ha9;&ha9;</description></item>
</channel></rss>
"""
