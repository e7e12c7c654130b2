"""The same-story decision on texts written for these tests, one per kind of copy and near miss."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from newsmon.stories.compare import Features, compare
from newsmon.stories.config import FoldConfig
from newsmon.stories.evidence import segment

CFG = FoldConfig()
T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
LEAD = (
    "Engineers reopened the Kessel Bridge over the Marran estuary on Monday after eleven months of repairs "
    "that cost the regional authority 48 million euros, two years after cracks were found in its piers."
)
BODY = [
    "The bridge carries about 31,000 vehicles a day between Osterholm and the port of Vilde, and its "
    "closure forced lorries onto a ferry link that often ran hours behind schedule during the summer.",
    "Transport commissioner Petra Laine said the repaired piers would be monitored by sensors sending "
    "readings every ten seconds, so any movement is noticed long before it becomes dangerous for traffic.",
    "Local hauliers welcomed the reopening but asked for compensation for the extra fuel and overtime "
    "paid during the closure, which their association puts at more than 9 million euros in total.",
]
FULL = "\n\n".join([LEAD, *BODY])
SPIN = {
    "reopened": "re-opened",
    "after": "following",
    "repairs": "maintenance",
    "cost": "price",
    "found": "discovered",
    "carries": "transports",
    "vehicles": "cars",
    "forced": "compelled",
    "often": "frequently",
    "said": "stated",
    "monitored": "watched",
    "noticed": "spotted",
    "dangerous": "hazardous",
    "welcomed": "greeted",
    "asked": "requested",
    "extra": "additional",
    "total": "all",
}


def feats(text: str, published: datetime | None = T0, lang: str = "en") -> Features:
    return Features(text, lang, published, CFG.shingle_chars, CFG.lead_chars, CFG.min_sentence_words)


def spin(text: str) -> str:
    return re.sub(r"[a-z]+", lambda m: SPIN.get(m.group(0), m.group(0)), text)


def test_a_spun_copy_is_a_copy() -> None:
    verdict = compare(feats(FULL), feats(spin(FULL), T0 + timedelta(hours=5)), CFG)
    assert verdict.same and verdict.rule == "copy", verdict.describe()


def test_a_lead_only_copy_and_a_copy_with_boilerplate_are_copies() -> None:
    assert compare(feats(FULL), feats(LEAD + " Read more on our partner's site."), CFG).same
    wrapped = (
        "Photo: the bridge at dawn (archive)\n\n"
        + FULL
        + "\n\nShare this story. Subscribe to our newsletter."
    )
    assert compare(feats(FULL), feats(wrapped), CFG).same


def test_the_same_template_for_another_event_stays_apart() -> None:
    other = (
        FULL.replace("Kessel", "Arno")
        .replace("eleven months", "seven months")
        .replace("48 million", "23 million")
        .replace("31,000", "12,500")
        .replace("9 million", "4 million")
    )
    verdict = compare(feats(FULL), feats(other), CFG)
    assert not verdict.same and verdict.rule == "figures-differ", verdict.describe()


def test_the_same_wire_story_on_another_day_with_other_figures_stays_apart() -> None:
    dated = FULL + "\n\nThe first repairs began on 14 March 2023 and the 212 metre span closed on 2 April."
    update = dated.replace("31,000", "33,000")
    assert compare(feats(dated), feats(update, T0 + timedelta(hours=6)), CFG).same  # an update: a copy
    verdict = compare(feats(dated), feats(update, T0 + timedelta(days=2)), CFG)
    assert not verdict.same and verdict.rule == "figures-differ-days-apart", verdict.describe()


def test_amounts_converted_to_another_currency_are_still_a_copy() -> None:
    swiss = FULL.replace("48 million euros", "46.5 million francs").replace(
        "9 million euros", "8.7 million francs"
    )
    assert compare(feats(FULL), feats(swiss), CFG).same


def test_stories_sharing_background_paragraphs_but_not_their_leads_stay_apart() -> None:
    a_lead = (
        "Ferry crews on the Marran estuary went on strike on Friday over pay, stranding hundreds of "
        "passengers at the port of Vilde. The union said talks with the operator had broken down. "
        "Managers called the strike unnecessary and offered new talks for next week."
    )
    b_lead = (
        "A lorry caught fire on the approach road to the port of Vilde on Tuesday, closing it for six "
        "hours while firefighters cooled the load. Nobody was hurt, police said. "
        "The driver escaped from the cab before the flames spread to the trailer."
    )
    background = "\n\n".join(BODY[:2])
    verdict = compare(feats(a_lead + "\n\n" + background), feats(b_lead + "\n\n" + background), CFG)
    assert not verdict.same and verdict.rule == "lead-differs", verdict.describe()


def test_a_shared_quote_is_not_a_copy() -> None:
    quote = BODY[1]
    a = "Officials toured the repaired bridge on Monday. The works ran two months late. " + quote
    b = (
        "The opposition criticised the cost of the Kessel repairs in parliament on Tuesday, calling the "
        "overrun a scandal and asking for an audit of the contract. "
        + quote
        + " Ministers rejected the call."
    )
    assert not compare(feats(a), feats(b), CFG).same


def test_different_languages_and_distant_times_never_fold() -> None:
    assert compare(feats(FULL), feats(FULL, lang="de"), CFG).rule == "language"
    assert compare(feats(FULL), feats(FULL, T0 + timedelta(days=200)), CFG).rule == "time-gap"


def test_a_copy_under_its_own_teasers_and_captions_keeps_the_lead() -> None:
    # Two republishers, each with its own headline, teaser and photo caption lines before the article:
    # the lead is looked for after them (and within the other copy's opening stretch).
    one = (
        "Bridge open again\n\nWhat the closure cost hauliers\n\n"
        "A ferry waits at Vilde harbour in the rain, with lorries queuing behind it on the quay.\n\n" + FULL
    )
    two = "Marran estuary: traffic is back\n\nRead also: the ferry timetable for the summer\n\n" + FULL
    verdict = compare(feats(one), feats(two), CFG)
    assert verdict.same and verdict.evidence.lead, verdict.describe()


def test_sentences_glued_by_a_lost_paragraph_break_still_align() -> None:
    # A republisher lost the paragraph breaks: "...schedule..The bridge..." is still two sentences.
    glued = "..".join(p.rstrip(".") for p in [LEAD, *BODY]) + ". Share this story on social media now."
    assert len(segment(glued, CFG.min_sentence_words).spans) == len(BODY) + 2
    verdict = compare(feats(FULL), feats(glued), CFG)
    assert verdict.same and verdict.evidence.lead, verdict.describe()


def test_a_follow_up_recapping_the_lead_in_its_second_half_is_not_a_copy() -> None:
    follow_up = (
        "Hauliers blocked the approach road to the Kessel Bridge for two hours on Thursday, demanding "
        "the compensation they were promised during the eleven months of closure. Police diverted "
        "traffic through Osterholm and no one was hurt. The association said its members had waited "
        "long enough and would return every week until the authority paid. A spokeswoman for the "
        "regional authority said the claims were being checked one by one and payments would start in "
        "the autumn, once the final bill for the works was known. Several drivers told reporters they "
        "had taken on debt to cover the fuel for the ferry detours.\n\n" + LEAD
    )
    verdict = compare(feats(LEAD + " More on our site."), feats(follow_up), CFG)
    assert not verdict.same and not verdict.evidence.lead, verdict.describe()


def test_a_two_sentence_flash_with_its_first_sentence_reworded_is_a_copy() -> None:
    flash = (
        "Engineers reopened the Kessel Bridge on Monday after eleven months of repairs, the regional "
        "authority said. The repairs cost 48 million euros and traffic of about 31,000 vehicles a day "
        "is expected to return within a week."
    )
    reworded = flash.replace(
        "Engineers reopened the Kessel Bridge on Monday", "The Kessel Bridge was reopened on Monday"
    )
    verdict = compare(feats(flash), feats("Breaking\n" + reworded), CFG)
    assert verdict.same, verdict.describe()


def test_the_same_lead_formula_for_another_event_is_not_the_same_lead() -> None:
    # One outlet's formula for two flights: common words kept, names and figures replaced at each gap.
    a = (
        "Norland brought home 19 women and 41 children from the Roj camp in north-eastern Syria on "
        "Thursday, the foreign ministry in Kesk said. " + BODY[0]
    )
    b = (
        "Vestmark repatriated four women and nine children from camps in north-eastern Syria on "
        "Tuesday, the foreign office in Brenn said. " + BODY[0]
    )
    verdict = compare(feats(a), feats(b), CFG)
    assert not verdict.same and not verdict.evidence.lead, verdict.describe()


def test_a_short_lead_sharing_most_but_few_words_is_not_a_kept_lead() -> None:
    # "X died on Monday, officials said": everyone reporting the event opens alike. Five shared words
    # of a seven-word lead are most of it, but fewer than make a chain: no evidence of one article.
    a = "Arno Lakk died on Monday, officials said. " + BODY[0]
    b = "Officials said Arno Lakk died on Monday at home. " + BODY[2]
    verdict = compare(feats(a), feats(b), CFG)
    assert not verdict.same and verdict.evidence and not verdict.evidence.lead, verdict.describe()
