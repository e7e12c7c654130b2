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


# --- pages for the extraction causes of issue #16 (all text written for these tests) ----------------

WALL_TEASER = [
    "The regional water board voted late on Tuesday to raise tariffs for the first time in six years, "
    "citing the cost of repairing pipes that date back to the nineteen-fifties.",
    "Households will pay about four percent more from the spring, the board said.",
]


def paywalled_teaser() -> bytes:
    """Two teaser paragraphs, then the subscription wall's own words; no password field at all."""
    teaser = "".join(f"<p>{p}</p>" for p in WALL_TEASER)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Water tariffs to rise | Valley Courier</title></head><body>
<header><a href="/">Valley Courier</a></header>
<article><h1>Water tariffs to rise</h1>{teaser}
<div class="wall"><p>Subscribe to continue reading.</p><p>Already a subscriber? Sign in.</p>
<p><a href="/plans">See our plans</a></p></div></article></body></html>""".encode()


SHORT_ARTICLE = [
    "A small bakery on the harbour front has won the county prize for rye bread, beating forty entries.",
    "The owners, a couple who opened the shop three years ago, said they would spend the prize money on "
    "a second oven before the summer season begins.",
    "The judges praised the crust and said the loaf kept well for a week.",
]


def article_beside_login_box() -> bytes:
    """A complete short article (under 1,000 characters) on a page with a login form in the header."""
    body = "".join(f"<p>{p}</p>" for p in SHORT_ARTICLE)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Harbour bakery wins rye prize | Coast Weekly</title></head><body>
<header><form action="/login" method="post"><label>E-mail <input type="text" name="user"></label>
<label>Password <input type="password" name="pass"></label><button>Log in</button>
<a href="/forgot">Forgot your password?</a></form></header>
<main><article><h1>Harbour bakery wins rye prize</h1>{body}</article></main>
<footer><p>Coast Weekly, printed every Thursday.</p></footer></body></html>""".encode()


POLISH = [
    "Rada gminy zdecydowała w środę, że nowa szkoła powstanie na łące za kościołem, "
    "a budowa ruszy jesienią przyszłego roku.",
    "Mieszkańcy pytali o dojazd, bo droga gruntowa zimą jest śliska i wąska; wójt obiecał, że zostanie "
    "poszerzona i utwardzona jeszcze przed otwarciem budynku.",
    "Źródła finansowania to głównie środki z budżetu państwa, ale część kosztów pokryje gmina.",
    "Żaden z radnych nie głosował przeciw, dwóch wstrzymało się od głosu.",
]


def polish_cp1250(declare: bool) -> bytes:
    """A Polish article in windows-1250, with or without a <meta charset>."""
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1250">' if declare else ""
    body = "".join(f"<p>{p}</p>" for p in POLISH)
    html = f"""<!DOCTYPE html><html><head>{meta}<title>Nowa szkoła w gminie</title></head>
<body><article><h1>Nowa szkoła w gminie</h1>{body}</article></body></html>"""
    return html.encode("cp1250")


def mostly_utf8_with_stray_bytes() -> bytes:
    """A UTF-8 Polish page declaring utf-8 whose sidebar include left a few windows-1252 bytes."""
    body = "".join(f"<p>{p}</p>" for p in POLISH)
    head = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Nowa szkoła</title></head>
<body><article><h1>Nowa szkoła w gminie</h1>{body}</article><aside><p>""".encode()
    stray = "Gr\u00fc\u00dfe aus M\u00fcnchen".encode("cp1252")  # a legacy include: not UTF-8
    return head + stray + b"</p></aside></body></html>"


INDEX_POSTS = [
    (
        "Spring planting at the community garden",
        "Volunteers spent Saturday morning turning the beds behind the library and planting early potatoes, "
        "broad beans and two rows of onions. The new water butts caught enough rain to last a fortnight.",
    ),
    (
        "Repair café returns to the town hall",
        "The monthly repair café is back after the winter break. Bring a broken lamp, a toaster or a torn "
        "jacket; our volunteers fixed thirty-one items last time and sent almost nothing to the tip.",
    ),
    (
        "Minutes of the residents' meeting",
        "Residents discussed the speed limit on the school road, the state of the footbridge and the plan "
        "for a bench by the pond. The council will be asked for a reply before the next meeting.",
    ),
]


def blog_index() -> bytes:
    """An index page listing three posts, each in the same container class with its own headline."""
    posts = "".join(
        f"""<div class="post"><h2 class="entry-title"><a href="/post/{n}">{title}</a></h2>
<div class="entry-meta">Posted on {n + 1} May</div>
<div class="entry-content"><p>{text}</p><p>{text}</p></div></div>"""
        for n, (title, text) in enumerate(INDEX_POSTS)
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Village blog</title></head>
<body><main><div class="posts">{posts}</div></main></body></html>""".encode()


# Decomposed forms (a base letter followed by a combining mark) as some editors and copy-pastes write them.
NFD_GERMAN = (
    "Die Bu\u0308rgerinnen aus Mu\u0308nchen waren zufrieden mit der Lo\u0308sung fu\u0308r die Bru\u0308cke."
)
NFD_BENGALI = (
    "\u0995\u09c7\u09be\u09a8 \u09aa\u09a5 \u09b8\u09c7\u09be\u099c\u09be"  # vowel signs split in two
)


def decomposed_text() -> bytes:
    """An article whose text is in decomposed Unicode (NFD), German and Bengali."""
    paragraphs = [
        NFD_GERMAN + " Der Stadtrat hatte lange über den Neubau gestritten, nun ist der Weg frei.",
        "Die Arbeiten sollen im Sommer beginnen und bis zum Ende des nächsten Jahres dauern, "
        "hieß es aus dem Rathaus.",
        NFD_BENGALI + " " + NFD_BENGALI + " এই অনুচ্ছেদটি পরীক্ষার জন্য লেখা হয়েছে।",
        "Während der Bauzeit fahren die Busse eine Umleitung über die alte Landstraße.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    title = "Neue Bru\u0308cke"  # decomposed in the <title> too
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{title}</title></head>
<body><article><h1>Neue Brücke</h1>{body}</article></body></html>""".encode()
