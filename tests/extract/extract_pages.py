"""HTML pages written for these tests (our own text), shaped like what the pipeline meets."""

from __future__ import annotations

BODY_EN = [
    "Twelve children who had spent more than a year in a desert detention camp in north-eastern Syria "
    "arrived at the capital's airport on Sunday evening, where grandparents and aunts were waiting with "
    "blankets and toys.",
    "The youngest of the group is four years old and the eldest fourteen. Officials said all of them would "
    "stay in a paediatric clinic for a week of medical checks before moving in with relatives.",
    "Their mothers travelled to the region several years ago and are still held in the camp. The foreign "
    "ministry said talks about their cases were continuing but gave no timetable.",
    "Aid workers have warned for months that conditions in the camp are getting worse as winter approaches, "
    "with shortages of clean water, heating fuel and basic medicine for the thousands of children there.",
    "A spokesperson for the children's commissioner said the flight was the result of long negotiations "
    "with local authorities and thanked the doctors and psychologists who accompanied the children.",
    "Several other countries have brought back small numbers of orphans, but most governments have so far "
    "refused to repatriate the adults, citing security concerns and the difficulty of gathering evidence.",
]


def aggregator_copy() -> bytes:
    """A syndicated copy with the leftovers an aggregator adds around the article."""
    paragraphs = "\n".join(f"<p>{text}</p>" for text in BODY_EN)
    caption = "Children and relatives at the arrivals hall in the evening © agency.example"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Twelve children return home from Syrian camp | Daily Digest</title>
<meta property="og:site_name" content="Daily Digest">
<meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2019-03-04T10:30:00+02:00">
<meta name="description" content="Twelve children held in a Syrian camp are back with their families.">
<link rel="canonical" href="/copies/twelve-children">
</head><body>
<div class="nav"><a href="/">Home</a> <a href="/world">World</a></div>
<article>
<p>{caption} {caption}</p>
<h1>Twelve children return home</h1>
<p>... from Syrian camp</p>
{paragraphs}
<p>REGISTER NOW</p>
<p>(Source: example-news.org; March 3, 2019; http://short.example/abc123)</p>
<p><a href="/section/inf">Back to INF</a></p>
<p>Loading please wait...</p>
</article>
<div class="footer">Copyright Daily Digest</div>
</body></html>""".encode()


BODY_RU = [
    "В воскресенье вечером в столичный аэропорт прилетели двенадцать детей, которые больше года провели "
    "в лагере на северо-востоке Сирии. Их встречали бабушки, дедушки и другие родственники.",
    "Самому младшему ребёнку четыре года, самому старшему четырнадцать. Все они неделю пробудут в детской "
    "больнице, где врачи проведут полное обследование.",
    "Матери детей по-прежнему остаются в лагере. В министерстве иностранных дел сообщили, что переговоры "
    "продолжаются, но сроков не назвали.",
    "Сотрудники гуманитарных организаций предупреждают, что с приближением зимы условия в лагере "
    "ухудшаются: не хватает чистой воды, топлива и лекарств.",
]


def russian_cp1251(meta_charset: str | None = None) -> bytes:
    """A Russian page encoded as windows-1251; optionally with a lying <meta charset>."""
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    paragraphs = "\n".join(f"<p>{text}</p>" for text in BODY_RU)
    html = f"""<!DOCTYPE html><html><head>{meta}<title>Дети вернулись домой из сирийского лагеря</title>
</head><body><article><h1>Дети вернулись домой</h1>
{paragraphs}
<p>Источник: Новости Региона, 3 марта 2019</p>
</article></body></html>"""
    return html.encode("cp1251")


def script_title() -> bytes:
    paragraphs = "\n".join(f"<p>{text}</p>" for text in BODY_EN[:4])
    return f"""<!DOCTYPE html><html><head>
<title><script>alert('owned')</script>Budget talks resume &amp; <b>stall</b></title>
<meta name="author" content="<img src=x onerror=alert(1)>Sam Poe">
</head><body><article>{paragraphs}</article></body></html>""".encode()


def login_wall() -> bytes:
    return b"""<!DOCTYPE html><html><head><title>Members area</title></head><body>
<main><h1>Subscribers only</h1><p>Sign in to continue reading this article.</p>
<form action="/login" method="post"><input type="text" name="user">
<input type="password" name="pass"><button>Log in</button></form></main></body></html>"""


def plain_article(title: str, paragraphs: list[str]) -> bytes:
    body = "\n".join(f"<p>{text}</p>" for text in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><article><h1>{title}</h1>{body}</article></body></html>""".encode()
