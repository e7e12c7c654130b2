"""Scoring with the shipped child_repatriation topic: what it must flag, what it must not, and why."""

from __future__ import annotations

import json

import pytest

from newsmon.topics.model import Topic
from newsmon.topics.score import score_text

POSITIVES = {
    "en": (
        "Finland brings home children from al-Hol",
        "Finland has repatriated six children from the al-Hol camp in Syria. Their mothers had "
        "joined the Islamic "
        "State group. The children will live with relatives after medical checks.",
    ),
    "ru": (
        "Детей вернули из Ирака",
        "Из багдадской тюрьмы в Москву вернули 12 детей, чьи матери были связаны с ИГИЛ. "
        "Детей передадут родственникам после обследования.",
    ),
    "de": (
        "Kinder aus Lager Roj zurückgeholt",
        "Die Bundesregierung hat fünf Kinder von IS-Anhängerinnen aus dem Lager Roj in Nordsyrien "
        "zurückgeholt. "
        "Die Kinder werden vom Jugendamt betreut.",
    ),
    "fr": (
        "Rapatriement d'enfants de djihadistes",
        "La France a rapatrié onze enfants de djihadistes détenus dans les camps du nord-est de la Syrie. "
        "Les mineurs ont été confiés à l'aide sociale à l'enfance.",
    ),
    "ar": (
        "إعادة أطفال من مخيم الهول",
        "أعلنت الحكومة إعادة عشرين طفلاً من مخيم الهول في سوريا، وهم من أبناء مقاتلي تنظيم داعش. "
        "وسيخضع الأطفال لبرامج إعادة التأهيل.",
    ),
}

LOOK_ALIKES = [
    (
        "remains",
        "en",
        "Remains of soldiers repatriated",
        "The remains of 20 soldiers missing in action were repatriated in flag-draped coffins. Their "
        "children and "
        "grandchildren attended the ceremony at the air base.",
    ),
    (
        "remains",
        "ru",
        "Останки бойцов вернули на родину",
        "Останки павших солдат вернули на родину. На перезахоронение приехали дети и внуки погибших.",
    ),
    (
        "profits",
        "en",
        "Firms repatriate profits",
        "Companies repatriated 200 billion dollars of foreign earnings after the tax change; "
        "shareholders received "
        "dividends.",
    ),
    (
        "profits",
        "de",
        "Gewinne zurückgeholt",
        "Konzerne haben Auslandsgewinne in Milliardenhöhe zurückgeholt, die Steuer auf das Kapital sank.",
    ),
    (
        "artefacts",
        "fr",
        "Restitution d'œuvres",
        "Le musée a restitué des œuvres pillées; le rapatriement de ces biens culturels était "
        "réclamé depuis longtemps.",
    ),
    (
        "artefacts",
        "en",
        "Museum repatriates bronzes",
        "The museum repatriated looted bronzes and other artefacts; school children watched the ceremony.",
    ),
    (
        "refugees",
        "de",
        "Flüchtlinge kehren nach Syrien zurück",
        "Tausende syrische Flüchtlinge mit ihren Kindern kehren aus dem Libanon nach Syrien zurück, "
        "das UNHCR mahnt "
        "zur Vorsicht bei der freiwilligen Rückkehr.",
    ),
    (
        "refugees",
        "ar",
        "عودة لاجئين",
        "عاد آلاف اللاجئين السوريين مع أطفالهم من لبنان إلى سوريا ضمن العودة الطوعية، وفق المفوضية.",
    ),
    (
        "covid",
        "en",
        "Stranded families flown home",
        "A repatriation flight brought home families with children stranded abroad by the "
        "coronavirus pandemic; "
        "all passengers must quarantine.",
    ),
    (
        "covid",
        "fr",
        "Rapatriement pendant la pandémie",
        "Des familles avec enfants bloquées par la pandémie de Covid-19 ont été rapatriées; "
        "quarantaine obligatoire.",
    ),
    (
        "adult_returnees",
        "en",
        "ISIS returnee sentenced",
        "A man who returned from Syria after fighting for ISIS was sentenced to nine years in "
        "prison. Prosecutors "
        "said he was convicted of membership in a terrorist organization; the trial heard he has two "
        "children.",
    ),
    (
        "adult_returnees",
        "de",
        "IS-Rückkehrerin verurteilt",
        "Das Oberlandesgericht hat eine IS-Rückkehrerin zu drei Jahren Haft verurteilt. Die "
        "Angeklagte war mit ihren "
        "Kindern aus Syrien zurückgekehrt; die Bundesanwaltschaft hatte Anklage erhoben.",
    ),
    (
        "hostages",
        "en",
        "Hostage children brought home",
        "Two children held hostage by Hamas in Gaza were brought home under the ceasefire deal and "
        "reunited with "
        "their families.",
    ),
    (
        "hostages",
        "ru",
        "Заложники вернулись домой",
        "Освобожденные из плена ХАМАС заложники, среди них дети, вернулись домой из сектора Газа.",
    ),
    (
        "hague_abduction",
        "en",
        "Boy returned under Hague Convention",
        "A court ordered the return of a boy to Spain under the Hague Convention after his mother "
        "took him abroad "
        "during a custody battle with her ex-husband.",
    ),
    (
        "hague_abduction",
        "fr",
        "Enlèvement parental",
        "La fillette a été ramenée en France en application de la convention de La Haye après un "
        "enlèvement parental; "
        "le juge aux affaires familiales avait fixé sa résidence chez sa mère.",
    ),
    (
        "us_mexico",
        "en",
        "Migrant children returned to Mexico",
        "Border Patrol returned hundreds of unaccompanied migrant children to Mexico; many came from "
        "Guatemala and "
        "Honduras.",
    ),
    (
        "us_mexico",
        "de",
        "Migrantenkinder zurückgeschickt",
        "Die USA haben unbegleitete Migrantenkinder nach Mexiko zurückgeschickt, viele stammen aus Honduras.",
    ),
]


@pytest.mark.parametrize("lang", sorted(POSITIVES))
def test_positive_in_each_language_is_flagged(child_topic: Topic, lang: str) -> None:
    title, text = POSITIVES[lang]
    result = score_text(child_topic, title=title, text=text, lang=lang)
    assert result.flagged, (result.score, dict(result.features))
    assert result.lang == lang
    assert result.score >= child_topic.threshold


@pytest.mark.parametrize("lang", sorted(POSITIVES))
def test_language_is_detected_when_not_given(child_topic: Topic, lang: str) -> None:
    title, text = POSITIVES[lang]
    result = score_text(child_topic, title=title, text=text)
    assert result.lang == lang and result.flagged


@pytest.mark.parametrize(
    ("kind", "lang", "title", "text"), LOOK_ALIKES, ids=[f"{k}-{la}" for k, la, *_ in LOOK_ALIKES]
)
def test_look_alikes_are_not_flagged(child_topic: Topic, kind: str, lang: str, title: str, text: str) -> None:
    result = score_text(child_topic, title=title, text=text, lang=lang)
    assert not result.flagged, (kind, result.score, dict(result.features))


def test_every_look_alike_kind_is_covered() -> None:
    kinds = {k for k, *_ in LOOK_ALIKES}
    assert kinds == {
        "remains",
        "profits",
        "artefacts",
        "refugees",
        "covid",
        "adult_returnees",
        "hostages",
        "hague_abduction",
        "us_mexico",
    }


def test_negative_cues_lower_the_score(child_topic: Topic) -> None:
    base = "Six children were repatriated from the al-Hol camp in Syria, where ISIS families are held."
    clean = score_text(child_topic, title="", text=base, lang="en")
    noisy = score_text(
        child_topic,
        title="",
        text=base + " The coronavirus pandemic stranded tourists. Hamas holds hostages.",
        lang="en",
    )
    assert noisy.score < clean.score
    assert noisy.features["covid"] < 0 and noisy.features["hostages"] < 0
    assert clean.features["covid"] == 0
    negative_evidence = [e for e in noisy.evidence if e.weight < 0]
    assert {"coronavirus", "Hamas"} <= {t for e in negative_evidence for t in e.terms}


def test_score_is_never_negative(child_topic: Topic) -> None:
    result = score_text(child_topic, title="", text="Hostages. Hamas. Gaza. Ransom. Coffins.", lang="en")
    assert result.score == 0.0 and not result.flagged


def test_title_boost(child_topic: Topic) -> None:
    sentence = "Children repatriated from al-Hol camp"
    in_title = score_text(child_topic, title=sentence, text="The ministry confirmed it.", lang="en")
    in_text = score_text(child_topic, title="News", text=sentence + ". The ministry confirmed it.", lang="en")
    assert in_title.score == pytest.approx(in_text.score * child_topic.title_boost)
    assert in_title.evidence[0].in_title


def test_evidence_quotes_sentences_and_surface_forms(child_topic: Topic) -> None:
    text = "Weather was calm. Власти вернули из лагеря аль-Холь 14 детей боевиков ИГИЛ. Погода была хорошей."
    result = score_text(child_topic, title="", text=text, lang="ru")
    top = result.evidence[0]
    assert top.sentence == "Власти вернули из лагеря аль-Холь 14 детей боевиков ИГИЛ."
    assert {"вернули", "детей", "аль-Холь", "ИГИЛ"} <= set(top.terms)
    assert {"CHILD", "RETURN", "CAMP_NAMED", "FIGHTER"} <= set(top.concepts)
    assert top.weight > 0
    assert all(e.sentence != "Weather was calm." for e in result.evidence)


def test_to_json_round_trips(child_topic: Topic) -> None:
    title, text = POSITIVES["fr"]
    data = score_text(child_topic, title=title, text=text, lang="fr").to_json()
    again = json.loads(json.dumps(data, ensure_ascii=False))
    assert again["topic"] == "child_repatriation" and again["flagged"] is True
    assert again["evidence"][0]["terms"] and "child_return" in again["features"]


def test_unsupported_language_uses_all_term_lists(child_topic: Topic) -> None:
    text = (
        "Spain repatrió a niños del campo de al-Hol: children of ISIS fighters were repatriated from Syria."
    )
    result = score_text(child_topic, title="", text=text, lang="es")
    assert result.lang == "es" and result.flagged


def test_empty_and_hostile_text(child_topic: Topic) -> None:
    assert score_text(child_topic, title="", text="").score == 0.0
    weird = "<script>alert(1)</script>" + "\u200b" * 50 + "ـــ" + "x" * 10_000
    assert not score_text(child_topic, title="<b>", text=weird).flagged
