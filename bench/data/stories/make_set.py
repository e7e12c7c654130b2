"""Build the labelled story set (articles.jsonl, pairs.jsonl) from the hand-written texts in texts.py.

Run: .venv/bin/python bench/data/stories/make_set.py  (deterministic; rewrites the two .jsonl files)

Mechanical copies are made the way the real ones are: a synonym "spinner", a mirror that breaks spacing
and makes typos, truncation to the lead, other boilerplate/headline/caption wrapped around the text.
Every copy group yields `dup` pairs among all its members; every near miss yields `near_miss` pairs.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import texts as T  # noqa: E402

# A spinner's synonym table, written for this set: common words only, names and figures untouched.
SPIN_EN = {
    "carrying": "transporting",
    "landed": "touched down",
    "evening": "night",
    "after": "following",
    "operation": "mission",
    "organised": "arranged",
    "youngest": "smallest",
    "oldest": "eldest",
    "spent": "passed",
    "more": "greater",
    "prison": "jail",
    "capital": "metropolis",
    "serving": "doing",
    "membership": "participation",
    "group": "organisation",
    "said": "stated",
    "come": "originate",
    "taken": "brought",
    "straight": "directly",
    "clinic": "hospital",
    "checks": "examinations",
    "handed": "given",
    "relatives": "family members",
    "kind": "type",
    "estimate": "reckon",
    "several": "a number of",
    "remain": "stay",
    "urged": "called on",
    "speed": "accelerate",
    "process": "procedure",
    "tired": "exhausted",
    "calm": "peaceful",
    "received": "got",
    "small": "little",
    "gift": "present",
    "raised": "increased",
    "main": "principal",
    "increase": "rise",
    "tries": "attempts",
    "told": "informed",
    "eased": "slowed",
    "remained": "stayed",
    "far": "much",
    "ready": "prepared",
    "act": "move",
    "rising": "climbing",
    "current": "present",
    "expected": "anticipated",
    "smaller": "lesser",
    "strengthened": "firmed",
    "largest": "biggest",
    "rose": "climbed",
    "criticised": "slammed",
    "warning": "cautioning",
    "higher": "greater",
    "hit": "hurt",
    "firms": "companies",
    "struggling": "battling",
    "scheduled": "planned",
    "middle": "centre",
    "exposed": "leaked",
    "attackers": "hackers",
    "broke": "hacked",
    "company": "firm",
    "discovered": "found",
    "began": "started",
    "informed": "notified",
    "advised": "warned",
    "wary": "careful",
    "appear": "seem",
    "ask": "request",
    "apologised": "said sorry",
    "suspended": "halted",
    "investigates": "examines",
    "issued": "put out",
    "approached": "neared",
    "cancelled": "called off",
    "stay": "remain",
    "closed": "shut",
    "damaged": "broken",
    "quickly": "fast",
    "possible": "feasible",
    "travel": "journey",
    "weaken": "lose strength",
    "moves": "travels",
    "although": "though",
}
SPIN_RU = {
    "открылась": "заработала",
    "строительство": "возведение",
    "продолжалось": "длилось",
    "почти": "практически",
    "первые": "начальные",
    "пассажиры": "пассажиры",
    "вошли": "зашли",
    "расположена": "находится",
    "оценке": "подсчётам",
    "пользоваться": "пользоваться",
    "около": "примерно",
    "человек": "людей",
    "основном": "большинстве",
    "жители": "обитатели",
    "новых": "свежих",
    "стоимость": "цена",
    "работ": "строительства",
    "составила": "достигла",
    "большую": "основную",
    "средств": "денег",
    "выделил": "дал",
    "поблагодарил": "сказал спасибо",
    "пообещал": "заверил",
    "следующей": "очередной",
    "будущем": "следующем",
    "выходные": "дни отдыха",
    "проезд": "поездка",
    "бесплатным": "даровым",
    "помогают": "содействуют",
    "площадь": "территория",
    "выросла": "увеличилась",
    "превысила": "перешла",
    "сообщили": "рассказали",
    "сильнее": "интенсивнее",
    "горит": "полыхает",
    "подошёл": "приблизился",
    "рекомендовано": "советуют",
    "готовыми": "подготовленными",
    "угрозы": "опасности",
    "борются": "сражаются",
    "привлечены": "задействованы",
    "продлил": "расширил",
    "запретил": "воспретил",
}


def spin(text: str, table: dict[str, str], share: float, seed: int) -> str:
    """Swap words found in the table with probability `share`, keeping case of the first letter."""
    rnd = random.Random(seed)

    def swap(m: re.Match) -> str:
        word = m.group(0)
        repl = table.get(word.lower())
        if not repl or rnd.random() > share:
            return word
        return repl[0].upper() + repl[1:] if word[0].isupper() else repl

    return re.sub(r"\w+", swap, text)


def mirror(text: str, seed: int, rate: float = 0.03) -> str:
    """A sloppy mirror: words glued together or split, letters dropped or doubled, at `rate` per word."""
    rnd = random.Random(seed)
    out = []
    for word in re.split(r"(\s+)", text):
        if word.isspace() or not word:
            out.append(" " if word and rnd.random() < rate else word)  # glue: drop this space
            if out[-1] == " " and word != " ":
                out[-1] = word
            if rnd.random() < rate:
                out[-1] = ""
            continue
        r = rnd.random()
        if len(word) > 4 and r < rate:
            i = rnd.randrange(1, len(word) - 1)
            word = word[:i] + " " + word[i:]
        elif len(word) > 3 and r < 2 * rate:
            i = rnd.randrange(len(word))
            word = word[:i] + word[i + 1 :]
        elif len(word) > 3 and r < 3 * rate:
            i = rnd.randrange(len(word))
            word = word[:i] + word[i] + word[i:]
        out.append(word)
    return "".join(out)


def lead(text: str, paragraphs: int) -> str:
    return "\n\n".join(text.split("\n\n")[:paragraphs])


ARTICLES: list[dict] = []
PAIRS: list[dict] = []


def art(url: str, text: str, title: str, published: str, lang: str = "en") -> str:
    ARTICLES.append({"url": url, "text": text, "title": title, "lang": lang, "published": published})
    return url


def _pair(a: str, b: str, label: str, kind: str | None) -> None:
    PAIRS.append({"url_a": a, "url_b": b, "label": label, **({"kind": kind} if kind else {})})


def dup_group(urls: list[str], label: str = "dup", kind: str | None = None) -> None:
    for a, b in itertools.combinations(urls, 2):
        _pair(a, b, label, kind)


def near(a: str | list[str], b: str | list[str], label: str = "near_miss", kind: str | None = None) -> None:
    for x in [a] if isinstance(a, str) else a:
        for y in [b] if isinstance(b, str) else b:
            _pair(x, y, label, kind)


def build() -> None:
    # E1: wire story with many kinds of copy, plus its Russian version (cross-lingual).
    t = "27 children of ISIS members flown home from Baghdad"
    e1 = [
        art("https://wire-one.example/world/2024/05/12/children-flown-home", T.E1, t, "2024-05-12T18:05:00Z"),
        art(
            "https://www.dailyherald.example/news/children-flown-home-baghdad/",
            "Photo: the children at "
            "Vnukovo airport (Wire One)\n\n"
            + T.E1
            + "\n\nSign up for our morning newsletter.\nShare this story",
            "Children of IS members return to Russia",
            "2024-05-12T19:10:00Z",
        ),
        art(
            "https://eveningpost.example/a/88123",
            T.E1.replace("ISIS", "Daesh").replace("women's prison", "women’s jail")
            + "\n\nRelated: Iraq hands over second group of children",
            "Daesh children back in Moscow",
            "2024-05-12T20:00:00Z",
        ),
        art(
            "https://agg.example/item?id=5531",
            "REGISTER NOW\n\n" + T.E1 + "\n\n(Source: wire-one.example; "
            "12 May 2024)\nBack to World\n\nLoading please wait...",
            t,
            "2024-05-13T07:00:00Z",
        ),
        art(
            "https://regional.example/news/children-baghdad",
            lead(T.E1, 2) + "\n\nRead the full story on our partner's site.",
            t,
            "2024-05-12T21:00:00Z",
        ),
        art(
            "https://spinzone.example/children-home",
            spin(T.E1, SPIN_EN, 0.85, 1),
            "27 kids of ISIS members transported home",
            "2024-05-13T03:00:00Z",
        ),
        art("https://mirror-news.example/2024/05/children", mirror(T.E1, 2), t, "2024-05-13T09:30:00Z"),
    ]
    dup_group(e1)
    e1_ru = art(
        "https://vesti-example.ru/news/deti-iz-bagdada",
        T.E1_RU,
        "27 детей вернули из Багдада",
        "2024-05-12T19:30:00Z",
        "ru",
    )
    for u in e1[:2]:
        PAIRS.append({"url_a": u, "url_b": e1_ru, "label": "crosslingual_dup"})
    # URL disguises of the first copy: they must be the same copy (same url_key).
    disguised = [
        "http://wire-one.example/world/2024/05/12/children-flown-home/?utm_source=rss&utm_medium=feed",
        "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwire-one.example%2Fworld%2F2024%2F05"
        "%2F12%2Fchildren-flown-home%3Futm_campaign%3Dmail&data=05%7C02&reserved=0",
        "https://amp.wire-one.example/world/2024/05/12/children-flown-home/amp/#top",
    ]
    for u in disguised:
        art(u, T.E1, t, "2024-05-12T18:05:00Z")
        PAIRS.append({"url_a": e1[0], "url_b": u, "label": "dup"})

    # E2: flood; two wires in their own words; one site runs both wires the same day.
    a = art(
        "https://wire-one.example/uk/flood-kelvedon",
        T.E2,
        "Hundreds evacuated as River Brane floods",
        "2024-01-09T06:00:00Z",
    )
    a2 = art(
        "https://countynews.example/flood-kelvedon-cross",
        "Kelvedon Cross flood: hundreds in shelters\n\n"
        + T.E2
        + "\n\nPictured: a boat crew in the lower town. Picture: Wire One",
        "Kelvedon Cross flood",
        "2024-01-09T08:00:00Z",
    )
    a3 = art(
        "https://mobile-news.example/s/flood", lead(T.E2, 2), "River Brane floods", "2024-01-09T07:00:00Z"
    )
    b = art(
        "https://wire-two.example/news/kelvedon-boats",
        T.E2_WIRE_B,
        "Boats rescue residents in Kelvedon Cross",
        "2024-01-09T06:30:00Z",
    )
    site_footer = "\n\nThe Valley Gazette - local news since 1921. Subscribe for unlimited access."
    s1 = art(
        "https://valleygazette.example/2024/01/09/flood-a",
        T.E2 + site_footer,
        "Flood: hundreds evacuated",
        "2024-01-09T09:00:00Z",
    )
    s2 = art(
        "https://valleygazette.example/2024/01/09/flood-b",
        T.E2_WIRE_B + site_footer,
        "Boats rescue residents",
        "2024-01-09T09:20:00Z",
    )
    dup_group([a, a2, a3, s1])
    PAIRS.append({"url_a": b, "url_b": s2, "label": "dup"})
    near([a, a2, a3, s1], [b, s2])

    # E3: central bank; one publisher on two domains; spun copy; wire B in its own words.
    a = art(
        "https://finwire.example/markets/norlandia-rate-rise",
        T.E3,
        "Norlandia raises rates to 6.25%",
        "2024-11-06T12:00:00Z",
    )
    a2 = art(
        "https://www.capitaltimes.example/economy/norlandia-rate-rise",
        T.E3,
        "Norlandia raises rates",
        "2024-11-06T12:40:00Z",
    )
    a3 = art(
        "https://capitaltimes-business.example/economy/norlandia-rate-rise",
        "Economy\n\n" + T.E3,
        "Norlandia raises rates",
        "2024-11-06T12:41:00Z",
    )
    a4 = art(
        "https://rewrite-hub.example/p/91",
        spin(T.E3, SPIN_EN, 0.9, 3),
        "Norlandia increases rates",
        "2024-11-06T15:00:00Z",
    )
    b = art(
        "https://marketsdaily.example/norlandia-surprise",
        T.E3_WIRE_B,
        "Norlandia surprises with big hike",
        "2024-11-06T12:10:00Z",
    )
    dup_group([a, a2, a3, a4])
    near([a, a2, a3, a4], b)

    # E4: data breach; broken-spacing mirror; lead-only summary; other boilerplate.
    a = art(
        "https://technews.example/quillmart-breach",
        T.E4,
        "Quillmart breach exposes 1.2m customers",
        "2024-03-22T10:00:00Z",
    )
    a2 = art(
        "https://copycat.example/quillmart", mirror(T.E4, 7, 0.06), "Quillmart breach", "2024-03-22T13:00:00Z"
    )
    a3 = art("https://feedreader.example/q/1", lead(T.E4, 1), "Quillmart breach", "2024-03-22T10:30:00Z")
    a4 = art(
        "https://securityweekly.example/2024/03/quillmart",
        "ADVERTISEMENT\n\n" + T.E4 + "\n\nMore from "
        "Security Weekly: patch Tuesday round-up; ransomware gang arrested",
        "Retailer Quillmart hacked",
        "2024-03-23T08:00:00Z",
    )
    dup_group([a, a2, a3, a4])

    # E5: press release republished by two sites, one with an intro line.
    a = art(
        "https://westbridge.example/news/halvorsen-centre-opens",
        T.E5,
        "University opens coastal resilience centre",
        "2024-09-18T09:00:00Z",
    )
    a2 = art(
        "https://prnews.example/release/westbridge-halvorsen",
        "The following was issued as a press "
        "release by the University of Westbridge.\n\n" + T.E5 + "\n\nMedia contact: press office, "
        "University of Westbridge.",
        "Westbridge opens Halvorsen Centre",
        "2024-09-18T11:00:00Z",
    )
    a3 = art(
        "https://coastalcouncils.example/latest/halvorsen",
        T.E5.replace("today", "on Wednesday"),
        "New centre for coastal towns",
        "2024-09-19T08:00:00Z",
    )
    dup_group([a, a2, a3])

    # E6: op-ed republished a week later with an author bio.
    a = art("https://opinion.example/al-hol-winter", T.E6, "Bring the children home", "2024-12-02T06:00:00Z")
    a2 = art(
        "https://weeklyreview.example/comment/bring-them-home",
        T.E6 + "\n\nThe author is a former diplomat. This article first appeared in The Opinion.",
        "Bring them home: it is not too complicated",
        "2024-12-09T06:00:00Z",
    )
    dup_group([a, a2])

    # E7: one outlet's match-report template used for two matches; a copy of the first.
    a = art("https://sportsdesk.example/rovers-city", T.E7_A, "Rovers beat City 3-1", "2024-10-12T17:00:00Z")
    a2 = art(
        "https://localfootball.example/rovers-3-city-1",
        T.E7_A + "\n\nReport: Sports Desk",
        "Rovers 3-1 City",
        "2024-10-12T18:00:00Z",
    )
    b = art("https://sportsdesk.example/city-allen", T.E7_B, "City beat Allen 2-0", "2024-10-12T17:30:00Z")
    dup_group([a, a2])
    near([a, a2], b)

    # E8: court reporter's template for two cases; a copy of the second.
    a = art(
        "https://courtnews.example/stanmoor-burglar",
        T.E8_A,
        "Burglar jailed for six years",
        "2024-06-03T14:00:00Z",
    )
    b = art(
        "https://courtnews.example/colbrook-fraudster",
        T.E8_B,
        "Fraudster jailed for four years",
        "2024-06-06T14:00:00Z",
    )
    b2 = art(
        "https://countyecho.example/crime/colbrook-fraud",
        "Crime\n\n" + T.E8_B,
        "Woman jailed for fraud",
        "2024-06-06T16:00:00Z",
    )
    dup_group([b, b2])
    near(a, [b, b2])

    # E9 (RU): metro station; wire copies, spun, truncated; a second agency's own words.
    t = "В Новосибирске открылась станция метро «Спортивная»"
    a = art("https://sib-news.example.ru/2024/10/05/metro", T.E9, t, "2024-10-05T04:00:00Z", "ru")
    a2 = art(
        "https://ngs-example.ru/text/transport/sportivnaya",
        "Фото: пресс-служба мэрии\n\n" + T.E9 + "\n\nПодписывайтесь на наш канал в Telegram.",
        t,
        "2024-10-05T05:00:00Z",
        "ru",
    )
    a3 = art(
        "https://rewrite-ru.example/sport-metro",
        spin(T.E9, SPIN_RU, 0.9, 5),
        "Заработала станция «Спортивная»",
        "2024-10-05T09:00:00Z",
        "ru",
    )
    a4 = art("https://novosti-lenta.example/m/4411", lead(T.E9, 2), t, "2024-10-05T04:30:00Z", "ru")
    a5 = art("https://zerkalo.example/sportivnaya", mirror(T.E9, 11), t, "2024-10-05T10:00:00Z", "ru")
    b = art(
        "https://agency-two.example.ru/metro-sportivnaya",
        T.E9_WIRE_B,
        "Метро Новосибирска открыло «Спортивную»",
        "2024-10-05T04:20:00Z",
        "ru",
    )
    dup_group([a, a2, a3, a4, a5])
    near([a, a2, a3, a4, a5], b)

    # E10 (RU): prosecutors' press template for two cases.
    a = art(
        "https://prokuratura-news.example.ru/samara-1",
        T.E10_A,
        "Мошенник получил пять лет",
        "2024-04-10T09:00:00Z",
        "ru",
    )
    a2 = art(
        "https://samara-vesti.example.ru/sud-moshennik",
        T.E10_A + "\n\nИсточник: прокуратура",
        "Суд в Самаре",
        "2024-04-10T11:00:00Z",
        "ru",
    )
    b = art(
        "https://prokuratura-news.example.ru/saratov-2",
        T.E10_B,
        "Мошенница получила три года",
        "2024-04-10T10:00:00Z",
        "ru",
    )
    dup_group([a, a2])
    near([a, a2], b)

    # E11: the same yearly report, a year apart.
    a = art(
        "https://calderford-news.example/2023/air-quality",
        T.E11_2023,
        "Calderford air cleanest on record",
        "2023-04-11T09:00:00Z",
    )
    b = art(
        "https://calderford-news.example/2024/air-quality",
        T.E11_2024,
        "Calderford air cleanest on record",
        "2024-04-10T09:00:00Z",
    )
    b2 = art(
        "https://northerncities.example/calderford-air-2024",
        T.E11_2024 + "\n\nSource: Calderford News",
        "Calderford air quality improves again",
        "2024-04-10T12:00:00Z",
    )
    dup_group([b, b2])
    near(a, [b, b2])

    # E12: two repatriations sharing background paragraphs; each republished once.
    a = art(
        "https://centralasia.example/kz-roj-return",
        E12_A := T.E12_A,
        "Kazakhstan brings home 60 from Roj",
        "2024-02-15T10:00:00Z",
    )
    a2 = art(
        "https://astana-daily.example/news/roj",
        E12_A + "\n\nShare on social media",
        "Kazakh repatriation flight lands",
        "2024-02-15T12:00:00Z",
    )
    b = art(
        "https://europewire.example/germany-repatriates-13",
        T.E12_B,
        "Germany repatriates 13 from Syria",
        "2024-02-13T10:00:00Z",
    )
    b2 = art(
        "https://berlin-observer.example/repatriation",
        "Politics\n\n" + T.E12_B,
        "Germany brings back women and children",
        "2024-02-13T13:00:00Z",
    )
    dup_group([a, a2])
    dup_group([b, b2])
    near([a, a2], [b, b2])

    # E13: partial quote reuse.
    a = art(
        "https://humanitarian.example/icrc-children",
        T.E13_A,
        "Red Cross: end detention of children",
        "2024-03-04T12:00:00Z",
    )
    b = art(
        "https://lowcountries.example/belgium-review",
        T.E13_B,
        "Belgium to review Syria returns policy",
        "2024-03-06T12:00:00Z",
    )
    near(a, b)

    # E14: storm warning; copies with captions, truncation, spinning, typos.
    t = "Red warning as Storm Edda approaches"
    e14 = [
        art("https://weatherwire.example/storm-edda-red", T.E14, t, "2024-11-21T08:00:00Z"),
        art(
            "https://islandsnews.example/edda",
            "Image caption: waves at the pier on Thursday morning\n\n" + T.E14,
            "Storm Edda: schools shut, ferries cancelled",
            "2024-11-21T09:00:00Z",
        ),
        art("https://quickread.example/edda", lead(T.E14, 2) + " ...", t, "2024-11-21T08:30:00Z"),
        art(
            "https://spun-weather.example/edda",
            spin(T.E14, SPIN_EN, 0.9, 9),
            "Red caution as Storm Edda nears",
            "2024-11-21T12:00:00Z",
        ),
        art("https://scraper.example/edda-warning", mirror(T.E14, 13, 0.05), t, "2024-11-21T13:00:00Z"),
    ]
    dup_group(e14)
    # Same day, same region, a different weather story must stay apart from the storm wire.
    near(e14[0], e1[0])

    # E15 (RU): wildfire wire copies.
    t = "Площадь лесных пожаров в Забайкалье превысила 12 тысяч гектаров"
    e15 = [
        art("https://chita-news.example.ru/pozhary", T.E15, t, "2024-05-02T03:00:00Z", "ru"),
        art(
            "https://zabinfo.example.ru/news/22",
            T.E15 + "\n\nНовости партнёров",
            t,
            "2024-05-02T04:00:00Z",
            "ru",
        ),
        art(
            "https://ru-rewrite.example/les",
            spin(T.E15, SPIN_RU, 0.9, 15),
            "Территория пожаров увеличилась",
            "2024-05-02T07:00:00Z",
            "ru",
        ),
    ]
    dup_group(e15)
    near(e15[0], a)  # E10 vs E15: unrelated RU stories, sanity


def build_more() -> None:
    """Issue 14: other languages' reports of stories above (to link, never to fold) and of other
    events (never to link); a Swiss edition with amounts in francs; a wire update; a daily template."""
    e3 = "https://finwire.example/markets/norlandia-rate-rise"
    e4 = "https://technews.example/quillmart-breach"
    e12_a = "https://centralasia.example/kz-roj-return"
    e12_b = "https://europewire.example/germany-repatriates-13"
    e14 = "https://weatherwire.example/storm-edda-red"

    de = art(
        "https://wirtschaft.example.de/norlandia-zins",
        T.E3_DE,
        "Norlandia erhöht Leitzins",
        "2024-11-06T13:30:00Z",
        "de",
    )
    fr = art(
        "https://eco-monde.example.fr/norlandia-taux",
        T.E3_FR,
        "Norlandia : les taux à 6,25 %",
        "2024-11-06T14:00:00Z",
        "fr",
    )
    near(e3, de, "crosslingual_dup", "translation")
    near(e3, fr, "crosslingual_dup", "own report in another language")
    near(de, fr, "crosslingual_dup", "two other languages' reports")
    near(
        "https://marketsdaily.example/norlandia-surprise",
        [de, fr],
        "crosslingual_dup",
        "own report in another language",
    )
    earlier = art(
        "https://wirtschaft.example.de/norlandia-zins-september",
        T.E3_DE_EARLIER,
        "Norlandia erhöht erneut",
        "2024-09-19T12:00:00Z",
        "de",
    )
    near(e3, earlier, "crosslingual_other", "same bank, earlier decision, other language")
    near(fr, earlier, "crosslingual_other", "same bank, earlier decision, other language")

    ru_a = art(
        "https://vostok-news.example.ru/kz-rozh",
        T.E12_A_RU,
        "Казахстан вернул 60 человек из Сирии",
        "2024-02-15T12:00:00Z",
        "ru",
    )
    ru_b = art(
        "https://vostok-news.example.ru/de-siriya",
        T.E12_B_RU,
        "Германия вернула женщин и детей",
        "2024-02-13T15:00:00Z",
        "ru",
    )
    near(e12_a, ru_a, "crosslingual_dup", "translation")
    near(e12_b, ru_b, "crosslingual_dup", "own report in another language")
    near(e12_a, ru_b, "crosslingual_other", "other repatriation, shared background, other language")
    near(e12_b, ru_a, "crosslingual_other", "other repatriation, shared background, other language")

    es = art(
        "https://tiempo-hoy.example.es/tormenta-edda",
        T.E14_ES,
        "Alerta roja por la tormenta Edda",
        "2024-11-21T10:00:00Z",
        "es",
    )
    later = art(
        "https://meteo-iles.example.fr/tempete-fenna",
        T.E14_FR_LATER,
        "Tempête Fenna",
        "2024-12-01T09:00:00Z",
        "fr",
    )
    near(e14, es, "crosslingual_dup", "own report in another language")
    near(e14, later, "crosslingual_other", "later storm, same islands, other language")
    near(es, later, "crosslingual_other", "later storm, same islands, other language")

    de4 = art(
        "https://technik.example.de/quillmart-daten",
        T.E4_DE,
        "Datenleck bei Quillmart",
        "2024-03-22T12:00:00Z",
        "de",
    )
    near(e4, de4, "crosslingual_dup", "translation")

    de16 = art(
        "https://nachrichten.example.de/syrien-kinder-hilfe",
        T.E16_DE,
        "12 Millionen Euro für Rückkehr",
        "2024-06-10T09:00:00Z",
        "de",
    )
    ch16 = art(
        "https://zeitung.example.ch/syrien-kinder-hilfe",
        T.E16_CH,
        "Deutschland hilft Kindern",
        "2024-06-10T11:00:00Z",
        "de",
    )
    dup_group([de16, ch16], kind="regional edition, currency converted")

    e17 = art("https://wire-three.example/bus-crash", T.E17, "Bus crash kills 12", "2024-08-13T06:00:00Z")
    e17u = art(
        "https://wire-three.example/bus-crash-update",
        T.E17_UPDATE,
        "Bus crash toll rises to 15",
        "2024-08-13T09:10:00Z",
    )
    e17c = art(
        "https://valleynews.example/bus-crash-ravine",
        "World\n\n" + T.E17_UPDATE,
        "15 dead in bus crash",
        "2024-08-13T10:00:00Z",
    )
    dup_group([e17, e17u, e17c], kind="wire update (toll revised, new lead)")

    d1 = art(
        "https://riverwire.example/alder-monday",
        T.E18_DAY1,
        "Alder rising at Millbridge",
        "2024-02-05T19:00:00Z",
    )
    d2 = art(
        "https://riverwire.example/alder-tuesday",
        T.E18_DAY2,
        "Alder rising at Millbridge",
        "2024-02-06T19:00:00Z",
    )
    near(d1, d2, kind="same wire's template on two days")


def main() -> None:
    build()
    build_more()
    (HERE / "articles.jsonl").write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8"
    )
    (HERE / "pairs.jsonl").write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PAIRS), encoding="utf-8"
    )
    labels = {}
    for p in PAIRS:
        labels[p["label"]] = labels.get(p["label"], 0) + 1
    print(f"{len(ARTICLES)} articles, {len(PAIRS)} pairs: {labels}")


if __name__ == "__main__":
    main()
