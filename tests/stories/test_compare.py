"""The same-story decision on texts written for these tests, one per kind of copy and near miss."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from newsmon.stories.anchors import skeleton_in_order
from newsmon.stories.compare import Features, _body_kept, _sentences_kept, alignment, compare
from newsmon.stories.config import FoldConfig
from newsmon.stories.evidence import Alignment, _prepare, _tokens_and_anchors, segment, tokens

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


# --- round 3: abbreviations, quoted sources, lead counts, running text, later leads, spun copies ---

WIRE = (
    "PORT HALDANE, Norl. (AP) — The U.S. Coast Guard said Gov. Mara Tellis asked for help after a barge "
    "carrying 2,400 tonnes of grain sank near Port Haldane at 4:15 p.m. Tuesday.\n\n"
    "Lt. Jon Arvo said all six crew members were pulled from the water by a fishing boat and taken to "
    "hospital with mild hypothermia, and that divers would inspect the wreck on Wednesday.\n\n"
    "The barge had left the grain terminal at Ostrava Quay an hour earlier, bound for the mills upriver, "
    "when it began taking on water in rough weather, the port authority said in a statement."
)


def test_an_abbreviation_does_not_end_the_lead() -> None:
    seg = segment(WIRE, CFG.min_sentence_words)
    lead = seg.tokens[seg.body : seg.lead_end]
    assert "barge" in lead and "tuesday" in lead, lead  # not "port haldane norl ap the u s"
    copy = WIRE.replace("PORT HALDANE, Norl. (AP) — The U.S. Coast Guard", "The Coast Guard")
    verdict = compare(feats(WIRE), feats("Barge sinks off Port Haldane\n\n" + copy), CFG)
    assert verdict.same and verdict.evidence.lead, verdict.describe()


STATEMENT_AGENCY = (
    "Ten children and three women, all Norland nationals, were brought back from camps in Sorvia, the "
    "foreign ministry announced on Tuesday.\n\n"
    '"Norland today carried out an operation to return Norland children and mothers who were in the '
    'camps of north-eastern Sorvia," the ministry wrote in a statement.\n\n'
    'The minors "were handed to child welfare services and will receive medical and social follow-up", '
    "it said. Two of the women were taken into custody on arrival at Kesk airport, prosecutors said.\n\n"
    '"Norland thanks the local administration of north-eastern Sorvia, which made this operation '
    'possible," the statement added.'
)
OTHER_AGENCY = (
    "Norland today carried out an operation to return 10 Norland children and three women who were in "
    "the camps of north-eastern Sorvia, the foreign ministry said on Tuesday.\n\n"
    '"The minors were handed to child welfare services and will receive medical and social follow-up," '
    'a ministry spokesman said. "The adults were handed to the judicial authorities."\n\n'
    'Norland "thanks the local administration of north-eastern Sorvia, which made this operation '
    'possible," the statement added. (Reporting by Ilse Varga)'
)


def test_two_agencies_quoting_and_paraphrasing_one_statement_stay_apart() -> None:
    # One agency quotes the ministry's statement; the other tells the same sentence as its own lead and
    # quotes the rest. Their shared words are the statement's, not one article's.
    verdict = compare(feats(STATEMENT_AGENCY), feats(OTHER_AGENCY, T0 + timedelta(hours=1)), CFG)
    assert not verdict.same and verdict.evidence.coverage < CFG.copy_coverage, verdict.describe()
    # ...while a copy of either, quotes and all, is a copy.
    assert compare(feats(OTHER_AGENCY), feats("Norland: children home\n\n" + OTHER_AGENCY), CFG).same


TEMPLATE_BACKGROUND = (
    "More than 43,000 people from at least 45 countries are held in the overcrowded Hadra camp, which "
    "is run by the Kurdish-led administration of north-eastern Sorvia.\n\n"
    "Returnees usually spend several months in a rehabilitation centre near Mosra before they are "
    "allowed to go home, officials say.\n\n"
    "More than 1,900 families have been transferred to the centre so far, the national security "
    "adviser said on March 2, and 1,230 of them have since returned to their towns.\n\n"
    "The repatriations have stirred controversy in Iskar, where many people do not want the families "
    "of militants back in their neighbourhoods."
)


def test_the_same_wire_template_with_another_count_in_its_lead_stays_apart() -> None:
    # The agency's template for the next transfer: lead reworded around a new count, every background
    # paragraph kept. Only one side is dated, so no time rule can tell them apart: the lead's count does.
    march = (
        "Nearly 160 Iskari families, or 625 people, have been repatriated from the Hadra camp in Sorvia, "
        "a government spokesman said on Sunday.\n\n" + TEMPLATE_BACKGROUND
    )
    april = (
        "Iskar repatriated 700 people from the Hadra camp in Sorvia, a local official said on Monday, "
        "the latest of nearly 160 families a month.\n\n" + TEMPLATE_BACKGROUND
    )
    verdict = compare(feats(march), feats(april, None), CFG)
    assert not verdict.same and verdict.rule == "lead-figures-differ", verdict.describe()


def test_a_toll_updated_within_hours_is_still_the_same_story() -> None:
    first = (
        "At least 42 people died when a ferry capsized off the Vilde coast on Sunday, rescuers said.\n\n"
        + "\n\n".join(BODY)
    )
    later = first.replace("At least 42 people died", "The death toll rose to 57")
    assert compare(feats(first), feats(later, T0 + timedelta(hours=4)), CFG).same
    # Without the dates to show it is a later version of the same hours, a new count is another event.
    assert compare(feats(first, None), feats(later, None), CFG).rule == "lead-figures-differ"


def test_an_editors_note_with_a_revised_figure_on_top_of_the_same_article_is_the_same_story() -> None:
    # One site put an editor's note over the article (a figure the other never gives); the other
    # copied the article without it. Undated, so no time rule helps: the whole article, word for word.
    more = [
        "The authority said 14 of the 212 piers had been rebuilt from the waterline up and 63 others "
        "were fitted with steel jackets, using 4,800 tonnes of steel from the mill at Osterholm.",
        "Speed limits of 80 km/h for cars and 60 km/h for lorries will apply until the end of the "
        "month, when engineers will check the readings of the first 30 days of traffic.",
        "The ferry link, which carried 2,700 lorries a week during the closure, will keep two of its "
        "five boats in service for foot passengers until the autumn timetable begins on September 1.",
    ]
    article = "\n\n".join([LEAD, *BODY, *more])
    noted = "Editor's note: the authority has since said that 38 piers, not 14, were rebuilt.\n\n" + article
    verdict = compare(feats(article, None), feats(noted, None), CFG)
    assert verdict.same, verdict.describe()


QUAKE = [
    "A magnitude 6.8 earthquake struck off the coast of Vilde on Tuesday afternoon, the national "
    "seismological institute said, shaking buildings across the southern provinces.",
    "The quake was centred 140 kilometres west of Osterholm at a depth of 12 kilometres, and it was "
    "felt as far away as the capital, where office workers left their buildings for an hour.",
    "There were no immediate reports of damage or injuries, the civil protection agency said, while "
    "teams were sent to check bridges and the harbour walls at Osterholm and Vilde.",
    "Residents of Osterholm said the shaking lasted about 40 seconds and knocked goods off the shelves "
    "of shops along the seafront, where many people ran out into the street.",
]


def test_an_excerpt_that_starts_below_the_lead_with_the_magnitude_is_the_same_story() -> None:
    # One copy was cut below its first sentence, which gave the magnitude: its own lead's count (140)
    # is in the full text, so the lead it has vouches for the same news. Undated: no time rule helps.
    full = "\n\n".join(QUAKE)
    excerpt = "\n\n".join(QUAKE[1:])
    verdict = compare(feats(full, None), feats(excerpt, None), CFG)
    assert verdict.same, verdict.describe()
    # A lead without a count vouches for nothing: the same template on another quake stays apart.
    other = "\n\n".join(
        [
            "An earthquake struck off the coast of Vilde on Tuesday afternoon, the national seismological "
            "institute said, shaking buildings across the southern provinces.",
            *QUAKE[2:],
        ]
    )
    assert compare(feats(full, None), feats(other, None), CFG).rule == "lead-figures-differ"


SIDEBAR = "\n".join(
    [
        "Most read",
        "Council approves new budget for the harbour district after long debate",
        "Storm warning issued for the northern coast until Friday evening",
        "Local team wins cup final on penalties in front of record crowd",
        "Police appeal for witnesses after night-time break-in at pharmacy",
        "New cycle lane along the river to open next spring, planners say",
        "Video 0:45",
        "Sponsored content",
    ]
)


def test_a_site_s_menus_and_sidebar_do_not_dilute_a_copy() -> None:
    player = "Play Live Radio\nNext Up:\n0:00\n0:00\nAvailable On Air Stations\n\n"
    short = LEAD + "\n\n" + BODY[0]
    wrapped = player + short + "\n\n" + SIDEBAR
    verdict = compare(feats(FULL), feats(wrapped), CFG)
    assert verdict.same and verdict.evidence.coverage > 0.9, verdict.describe()


def test_two_stories_under_one_site_s_sidebar_stay_apart() -> None:
    other = (
        "A lorry caught fire on the approach road to the port of Vilde on Tuesday, closing it for six "
        "hours while firefighters cooled the load. Nobody was hurt, police said."
    )
    verdict = compare(feats(LEAD + "\n\n" + SIDEBAR), feats(other + "\n\n" + SIDEBAR), CFG)
    assert not verdict.same, verdict.describe()


def test_an_excerpt_cut_mid_sentence_keeps_its_last_line() -> None:
    cut = LEAD + "\n\n" + BODY[0][:-1] + "\n\n" + BODY[1][: BODY[1].index(" long before")]
    seg = segment(cut, CFG.min_sentence_words)
    assert seg.content_words == len(seg.tokens)  # the unfinished lines are running text too
    assert compare(feats(FULL), feats(cut), CFG).same


def test_a_copy_under_a_credit_line_and_one_under_a_standfirst_keep_the_lead() -> None:
    # Both copies open with a prose sentence of their own (a credit line, a standfirst): the lead is
    # the second sentence on both sides.
    credit = "This story was first published by the Marran Courier and is republished with permission.\n\n"
    standfirst = "The works took almost a year and cost more than planned, the authority admitted.\n\n"
    verdict = compare(feats(credit + FULL), feats(standfirst + FULL), CFG)
    assert verdict.same and verdict.evidence.lead, verdict.describe()


def test_a_shared_quotation_or_embedded_post_as_second_sentence_is_no_lead() -> None:
    quote = (
        '"The minors were handed to child welfare services and will receive medical and social '
        'follow-up," the ministry said in its statement.'
    )
    a = "Norland repatriated ten children from Sorvia on Tuesday. " + quote + " " + BODY[2]
    b = "Officials in Kesk confirmed the return of a group of children late on Tuesday. " + quote
    b += " " + BODY[0]
    verdict = compare(feats(a), feats(b), CFG)
    assert not verdict.same and not verdict.evidence.lead, verdict.describe()
    post = "Ten Norland children were brought home from camps in Sorvia today, the ministry said."
    c = "أعلنت الوزارة اليوم عودة عشرة أطفال من المخيمات في سوريا بعد سنوات من الانتظار.\n" + post
    d = "قالت مصادر رسمية إن طائرة تقل أطفالا عادت من سوريا مساء اليوم إلى العاصمة.\n" + post
    verdict = compare(feats(c, lang="ar"), feats(d, lang="ar"), CFG)
    assert not verdict.same, verdict.describe()


ORIGINAL_SENTENCES = [
    "Engineers reopened the Kessel Bridge over the Marran estuary on Monday after eleven months of "
    "repairs that cost the regional authority 48 million euros.",
    "The bridge carries about 31,000 vehicles a day between Osterholm and the port of Vilde.",
    "Its closure forced lorries onto a ferry link that often ran hours behind schedule during the summer.",
    "Transport commissioner Petra Laine said sensors would send readings from the repaired piers every "
    "ten seconds.",
    "Local hauliers welcomed the reopening but asked for compensation for the extra fuel they had to buy.",
    "Their association puts the cost of the closure for its members at more than 9 million euros.",
]
SPUN_SENTENCES = [
    "Technicians re-opened the Kessel Bridge across the Marran estuary on Monday following eleven months "
    "of works which set the regional authority back 48 million euros.",
    "The crossing takes roughly 31,000 cars daily between Osterholm and the harbour of Vilde.",
    "Its shutdown pushed lorries onto a ferry link that frequently ran hours late during the summer.",
    "Transport chief Petra Laine stated that sensors will transmit readings from the mended piers every "
    "ten seconds.",
    "Local hauliers greeted the reopening yet requested compensation for the additional fuel they had to "
    "purchase.",
    "Their organisation estimates the price of the closure for its members at over 9 million euros.",
]


def test_a_heavily_spun_copy_with_no_sentence_left_as_it_was_is_a_copy() -> None:
    verdict = compare(feats("\n\n".join(ORIGINAL_SENTENCES)), feats("\n\n".join(SPUN_SENTENCES)), CFG)
    assert verdict.same and verdict.rule == "spun" and verdict.evidence.strong == 0, verdict.describe()


def test_another_report_sharing_two_reworded_facts_is_not_spun() -> None:
    own = [
        "Drivers on the Osterholm road cheered as the first lorries rolled over the Kessel Bridge on Monday "
        "morning, ending almost a year of detours.",
        SPUN_SENTENCES[1],
        "The Marran Courier spoke to a dozen hauliers at the toll gate, most of whom said the detours had "
        "cost them customers.",
        SPUN_SENTENCES[3],
        "Several firms said they would sue the authority if no compensation was offered by the autumn.",
        "The authority declined to comment on the threat of legal action.",
    ]
    verdict = compare(feats("\n\n".join(ORIGINAL_SENTENCES)), feats("\n\n".join(own)), CFG)
    assert not verdict.same, verdict.describe()


REWRITTEN_LEAD = (
    "After almost a year of closure, cars and lorries rolled over the estuary crossing at Kessel again "
    "this week, the regional government announced in a statement to the press. Crews from three firms "
    "had worked on the cracked piers in shifts since last winter."
)


def test_a_copy_with_its_lead_rewritten_keeps_its_body() -> None:
    # A newspaper rewrote the agency's first sentence as two of its own and ran the rest as it came,
    # figures and all: no lead on either side is among the other's first sentences.
    dates = "The first repairs began on 14 March 2023 and the 212 metre span closed in April."
    body = "\n\n".join([*BODY, dates])
    original = LEAD + "\n\n" + body
    rewritten = REWRITTEN_LEAD + "\n\n" + body
    verdict = compare(feats(original, None), feats(rewritten, None), CFG)
    assert verdict.same, verdict.describe()
    # Folded on its body: the leads differ in words (the second sentence, kept whole with the next
    # one, may stand in for the lead: see `evidence.lead_sentence_moved`).
    ev = alignment(feats(original, None), feats(rewritten, None), CFG)
    assert _body_kept(ev, None, CFG), ev.describe()
    # The same body under another lead days later is another day's story, not this one's copy.
    verdict = compare(feats(original), feats(rewritten, T0 + timedelta(days=3)), CFG)
    assert not verdict.same, verdict.describe()


# An agency's first version, and its write-through: two paragraphs of the write-through's own on top,
# then the first version's paragraphs with the newest ones moved up (what a desk does as the story
# grows), and the first version's closing context left out.
FIRST_TAKE = [
    "A fire broke out on Thursday night in a grain store at the port of Vilde, the regional fire "
    "service said, and 64 firefighters were still at the scene on Friday morning.",
    "The store held about 12,000 tonnes of wheat waiting to be shipped, according to the port "
    "authority, which closed the two nearest quays to traffic as a precaution.",
    "Residents of the Nordhavn district were told to keep their windows shut because of the smoke, "
    "although measurements taken overnight showed no toxic gases in the air.",
    "The cause of the fire was not known, a spokeswoman for the fire service said, adding that "
    "investigators would only be able to enter the building once the roof had been secured.",
    "Fire crews from Osterholm and two neighbouring towns had been called in to help, and a "
    "fireboat was spraying the walls from the harbour side to stop the fire from spreading.",
    "The port of Vilde is the second largest grain terminal in the region and handled 3.4 million "
    "tonnes last year, most of it bound for North Africa and the Middle East.",
    "A smaller fire in the same store in 2019 was blamed on a fault in a conveyor belt, and the "
    "operator replaced the whole conveyor system two years later.",
]
WRITE_THROUGH_TOP = [
    "Firefighters in Vilde were battling for a second day to bring a blaze under control at the "
    "harbour, where thick smoke has hung over the old town since Thursday evening.",
    "Shipping agents said at least four vessels waiting to load had been sent to anchor outside the "
    "harbour until the quays reopen, which could take several days.",
    "The mayor of Vilde, Anna Brekke, visited the command post on Friday and thanked the crews, some "
    "of whom had been working through the night without a break.",
    "Grain traders in the capital said wheat prices had barely moved, as stocks held elsewhere in the "
    "region were large enough to cover the lost cargo for several weeks.",
]


def test_a_write_through_that_moved_paragraphs_up_is_still_a_copy() -> None:
    first = "\n\n".join(FIRST_TAKE)
    update = "\n\n".join([*WRITE_THROUGH_TOP, FIRST_TAKE[0], *FIRST_TAKE[3:5], *FIRST_TAKE[1:3]])
    verdict = compare(feats(first), feats(update, T0 + timedelta(hours=3)), CFG)
    assert verdict.same and verdict.rule == "copy", verdict.describe()
    # Every moved paragraph counts, not only the ones a single in-order alignment keeps.
    assert verdict.evidence.coverage >= 0.6, verdict.describe()


def test_a_report_reusing_moved_background_under_its_own_lead_stays_apart() -> None:
    # Another day's story (the investigation's result) that reuses two background paragraphs, placed
    # in another order: moved passages are matched, but the lead is still the news.
    result = [
        "Investigators said on Tuesday that a short circuit in a lighting cable caused last week's fire "
        "in a grain store at the port of Vilde, ruling out arson.",
        "The operator must now replace the wiring in all five of its stores before they can be used "
        "again, the regional safety inspectorate ruled in a decision published on Tuesday.",
        FIRST_TAKE[6],
        FIRST_TAKE[5],
    ]
    verdict = compare(feats("\n\n".join(FIRST_TAKE)), feats("\n\n".join(result), None), CFG)
    assert not verdict.same, verdict.describe()


def test_a_copy_that_moved_its_sentences_clauses_about_is_a_copy() -> None:
    # An editor turns the attribution round ("..., the service said" -> "The service said ...") and
    # puts time phrases first: the same words, in another order.
    original = [
        "Sixty-four firefighters were still at the grain store at the port of Vilde on Friday morning, "
        "the regional fire service said in a statement.",
        "About 12,000 tonnes of wheat waiting to be shipped were stored in the building, according to "
        "the port authority in Vilde.",
        "Residents of the Nordhavn district were told to keep their windows shut overnight because of "
        "the thick smoke, the town hall said.",
        "Investigators will only be able to enter the building once the roof has been secured, a "
        "spokeswoman for the fire service said on Friday.",
    ]
    edited = [
        "The regional fire service said in a statement that sixty-four firefighters were still at the "
        "grain store at the port of Vilde on Friday morning.",
        "According to the port authority in Vilde, about 12,000 tonnes of wheat waiting to be shipped "
        "were stored in the building.",
        "The town hall said residents of the Nordhavn district were told to keep their windows shut "
        "overnight because of the thick smoke.",
        "On Friday a spokeswoman for the fire service said investigators will only be able to enter "
        "the building once the roof has been secured.",
    ]
    verdict = compare(feats("\n\n".join(original)), feats("\n\n".join(edited)), CFG)
    # Each sentence keeps its words: almost unchanged, not merely re-edited.
    assert verdict.same and verdict.rule == "copy" and verdict.evidence.strong == 4, verdict.describe()


# A wire story whose every sentence carries names and figures; a spinner's copy rewords each sentence
# (half of them beyond what the "spun" rule's character similarity sees) but keeps each sentence's
# names and figures together and the sentences in order; another agency on the same event gives the
# same names and figures, grouped into sentences and ordered its own way.
SLIDE_WIRE = [
    "TALLMOOR (Norrpress) - A landslide buried 14 houses in the mountain village of Brekka on "
    "Wednesday night, and rescuers from Tallmoor were searching for 6 people still missing, the "
    "regional police said.",
    "Heavy rain had soaked the slopes above Brekka for 9 days, the Weather Office said, measuring 212"
    " millimetres at its station in Skarvik since the start of the month.",
    "Police chief Ingrid Solheim told reporters in Tallmoor that 23 residents had been taken to the "
    "school in Vassdal, where the Red Cross set up beds and a field kitchen.",
    "The road between Brekka and Vassdal was cut in 3 places, and helicopters from the air base at "
    "Orland flew in 40 soldiers with dogs and thermal cameras before dawn.",
    "Mayor Tore Aasen said the village had been warned in 2019 that the hillside was moving, but the "
    "18 million crowns needed for drainage had never been granted by Oslo.",
    "The last deadly slide in the Tallmoor district, in 1978, killed 11 people in Fjellby, about 30 "
    "kilometres north of Brekka.",
]
SLIDE_SPUN = [
    "TALLMOOR (Norrpress) - On Wednesday night a mudslide engulfed 14 homes in Brekka, a hamlet in "
    "the mountains, while rescue teams out of Tallmoor hunted for 6 people who remain unaccounted "
    "for, according to regional police.",
    "Heavy rain had drenched the slopes above Brekka for 9 days, the Weather Office said, recording "
    "212 millimetres at its station in Skarvik since the start of the month.",
    "Speaking to journalists in Tallmoor, Police chief Ingrid Solheim said 23 locals were moved to "
    "the school at Vassdal, where beds and a mobile kitchen were provided by the Red Cross.",
    "The route from Brekka to Vassdal was severed at 3 points, so choppers from the Orland air base "
    "carried 40 troops with sniffer dogs and heat cameras in ahead of sunrise.",
    "Brekka was told back in 2019 that the slope was shifting, Mayor Tore Aasen stated, yet Oslo "
    "never approved the 18 million crowns required for drains.",
    "The previous deadly slide in the Tallmoor district, in 1978, claimed 11 lives in Fjellby, some "
    "30 kilometres north of Brekka.",
]
SLIDE_OTHER_AGENCY = [
    "OSLO (Vestwire) - Soldiers and rescue dogs flown in from Orland were digging through mud in "
    "Brekka on Thursday after a slope gave way overnight, with 6 people missing and 14 houses "
    "destroyed, officials said.",
    "Mayor Tore Aasen, visibly shaken, said his village had asked Oslo in 2019 for 18 million crowns "
    "to drain the hillside and was turned down, while 212 millimetres of rain fell in Skarvik this "
    "month.",
    "Residents described a roar like thunder; 23 of them spent the night in a school in Vassdal run "
    "by the Red Cross.",
    "Ingrid Solheim, the police chief in Tallmoor, said the search would continue through the night "
    "with 40 soldiers and thermal cameras, as the road to Vassdal remained cut in 3 places.",
    "Fjellby, 30 kilometres away, lost 11 people to a slide in 1978, the Tallmoor district's deadliest.",
    "The Weather Office warned that more rain was expected over the next 9 days across the region.",
]


def test_a_heavy_spin_keeping_each_sentence_s_names_and_figures_in_order_is_a_copy() -> None:
    wire, spun = feats("\n\n".join(SLIDE_WIRE)), feats("\n\n".join(SLIDE_SPUN), T0 + timedelta(hours=3))
    verdict = compare(wire, spun, CFG)
    assert verdict.same and verdict.rule == "skeleton", verdict.describe()
    assert verdict.evidence is not None and verdict.evidence.coverage < CFG.copy_coverage


def test_another_agency_with_the_same_names_and_figures_grouped_its_own_way_stays_apart() -> None:
    wire = feats("\n\n".join(SLIDE_WIRE))
    other = feats("\n\n".join(SLIDE_OTHER_AGENCY), T0 + timedelta(hours=3))
    assert not compare(wire, other, CFG).same
    assert wire.anchors.keys & other.anchors.keys  # the same names and figures...
    # ...but not the same sentences of them in the same order.
    assert (
        skeleton_in_order(wire.skeleton, other.skeleton, CFG.skeleton_anchor_share).kept
        < CFG.skeleton_min_sentences
    )


def test_the_spin_s_skeleton_with_other_figures_is_another_event() -> None:
    other_event = [re.sub(r"\b14\b", "9", re.sub(r"\b6 people", "2 people", s)) for s in SLIDE_SPUN]
    verdict = compare(
        feats("\n\n".join(SLIDE_WIRE)), feats("\n\n".join(other_event), T0 + timedelta(hours=3)), CFG
    )
    assert not verdict.same, verdict.describe()


def test_the_spin_of_a_later_take_with_one_later_count_updated_is_still_a_copy() -> None:
    later = [s.replace("23 locals", "31 locals") for s in SLIDE_SPUN]
    verdict = compare(feats("\n\n".join(SLIDE_WIRE)), feats("\n\n".join(later), T0 + timedelta(hours=3)), CFG)
    assert verdict.same and verdict.rule == "skeleton", verdict.describe()


# A wire's first take (three sentences) and its full story of the same morning, which rewords the
# flash while adding to it; another agency's flash on the same derailment.
TRAIN_FLASH = [
    "GRANVIK (Norrpress) - A freight train carrying chlorine derailed near the town of Granvik on "
    "Friday morning, and police evacuated 1,200 residents living within two kilometres of the track, "
    "the fire service said.",
    "No injuries were reported so far, a spokesman for the rail operator Nordbane said.",
    "Firefighters in protective suits were checking 14 tank wagons for leaks.",
]
TRAIN_FULL = [
    "GRANVIK (Norrpress) - A freight train carrying chlorine derailed near the town of Granvik on "
    "Friday morning, forcing the evacuation of 1,200 people from their homes close to the line as a "
    "precaution.",
    "Firefighters in protective suits were checking the 14 tank wagons for leaks.",
    "They found one wagon leaking slowly from a valve and sealed it shortly before noon, the fire "
    "service said.",
    "No one was hurt, a spokesman for the rail operator Nordbane said, adding that the train had been"
    " travelling at about 60 kilometres an hour when the last six wagons left the track.",
    "Residents spent the day in the sports hall of the Granvik secondary school, where volunteers "
    "served soup and the town council set up a desk for questions.",
    "The line between Granvik and the port of Storvik, used by about 40 trains a day, is expected to "
    "stay closed until Sunday while engineers repair some 300 metres of track.",
    "It was the second derailment on the route this year; in March a coal train left the rails near "
    "Storvik after a rail cracked in the frost.",
]
TRAIN_OTHER_FLASH = [
    "OSLO (Vestwire) - Some 1,200 people were told to leave their homes in Granvik on Friday after "
    "wagons of a chlorine train ran off the track, local officials said.",
    "Nordbane, which runs the line, said nobody had been injured.",
    "Emergency crews were inspecting 14 tankers for any sign of gas escaping into the air.",
]


def test_a_first_take_and_the_full_story_of_the_same_hours_are_one_story() -> None:
    flash, full = "\n\n".join(TRAIN_FLASH), "\n\n".join(TRAIN_FULL)
    verdict = compare(feats(flash), feats(full, T0 + timedelta(hours=3)), CFG)
    assert verdict.same and verdict.rule == "first-take", verdict.describe()
    # Not known to be of the same hours, a flash re-edited this much is not folded.
    assert not compare(feats(flash, None), feats(full, None), CFG).same


def test_another_agency_s_flash_on_the_same_event_is_not_a_first_take() -> None:
    other = feats("\n\n".join(TRAIN_OTHER_FLASH), T0 + timedelta(hours=1))
    assert not compare(other, feats("\n\n".join(TRAIN_FULL), T0 + timedelta(hours=3)), CFG).same
    assert not compare(other, feats("\n\n".join(TRAIN_FLASH)), CFG).same


def test_an_unrelated_candidate_stops_at_its_coverage_with_the_full_alignment_s_verdict() -> None:
    # Most candidates of a large archive are chance bucket hits: their alignment stops at the coverage,
    # and says what the full measure says ("different", the same coverage); a copy is measured fully.
    other = (
        "The city council of Osterholm voted on Wednesday to close two primary schools next summer, "
        "merging their pupils into a new building near the station that opens in September.\n\n"
        "Parents protested outside the town hall during the vote and said the walk to the new school "
        "would be too long for the youngest children, who now cross no main road on their way."
    )
    least = min(CFG.copy_coverage, CFG.attributed_coverage)
    full = alignment(feats(FULL), feats(other), CFG)
    cut = alignment(feats(FULL), feats(other), CFG, min_coverage=least)
    assert full.coverage < least and full.measured
    assert not cut.measured and cut.coverage == full.coverage
    assert "not measured" in cut.describe()
    verdict = compare(feats(FULL), feats(other), CFG)
    assert verdict.rule == "different" and verdict.evidence is not None and not verdict.evidence.measured
    copy = compare(feats(FULL), feats(spin(FULL)), CFG)
    assert copy.same and copy.evidence is not None and copy.evidence.measured


# --- figures spelt differently by two editions, lost breaks before quotes, leads under captions, ---
# --- and spun leads (fixtures written for these tests, in the shapes real republished pages take) ---


def test_a_swiss_apostrophe_and_a_clock_time_s_spellings_are_one_figure() -> None:
    assert tokens("41'000 Menschen") == tokens("41.000 Menschen") == tokens("41 000 Menschen")
    assert tokens("um 19:05 Uhr") == tokens("um 19.05 Uhr") == tokens("um 19h05 Uhr")
    assert tokens("à 00h24") == ["à", "0.24"] and tokens("at 00:24")[1:] == ["0.24"]
    # A year and a month, a score and an apostrophe after a year are no clock times or thousands.
    assert tokens("2024:10") == ["2024", "10"]
    assert tokens("score 3:1") == ["score", "3", "1"]
    assert tokens("the 1990's") == ["the", "1990", "s"]


def test_tokens_are_folded_one_by_one_and_flagged_as_names_figures_and_quotes() -> None:
    # The words are case-folded joined (see `_tokens_and_anchors`): each still reads as on its own.
    text = _prepare("__ Ёлка met «Anna Berg» in 1,000 _x STRASSE Straße")
    toks, anchors, quoted, ends_inside = _tokens_and_anchors(text)
    assert toks == ["елка", "met", "anna", "berg", "in", "1000", "x", "strasse", "strasse"]
    # "__" is no token, so "Ёлка" opens the text: no name; a figure is an anchor anywhere.
    assert anchors == [False, False, True, True, False, True, False, True, True]
    assert quoted == [False, False, True, True, False, False, False, False, False]
    assert not ends_inside
    # A text that starts inside a quote and opens another one.
    toks, anchors, quoted, ends_inside = _tokens_and_anchors(_prepare('12 said. "Then'), inside=True)
    assert toks == ["12", "said", "then"] and anchors == [True, False, True]
    assert quoted == [True, True, False] and not ends_inside
    assert _tokens_and_anchors("__ _ ,") == ([], [], [], False)


SWISS_WIRE = [
    "GENEVA (Norrpress) - A fire destroyed a timber warehouse in the port district of Vilde on Sunday "
    "evening, and about 41,000 tonnes of pellets burned for hours, the fire service said.",
    "The alarm was raised at 19:05, and 120 firefighters from Vilde and Osterholm fought the flames "
    "through the night with water from the harbour.",
    "Nobody was hurt, but smoke drifted over 3 villages along the coast, where residents were told to "
    "keep their windows closed until the morning.",
]


def test_a_regional_edition_spelling_thousands_and_hours_its_own_way_keeps_the_figures() -> None:
    swiss = [
        s.replace("41,000", "41'000").replace("19:05", "19h05").replace("Sunday evening", "Sunday night")
        for s in SWISS_WIRE
    ]
    ev = alignment(feats("\n\n".join(SWISS_WIRE)), feats("\n\n".join(swiss)), CFG)
    assert ev.figures_differ == 0 and ev.figures_agree >= 3, ev.describe()


def test_a_lost_paragraph_break_before_a_quote_or_after_a_bracket_ends_the_sentence() -> None:
    glued = (
        'Ten houses collapsed in the old town, the mayor told the Vilde Courier (VC)."We are still '
        'searching two of them", he said.The road to the port was closed for the night.'
    )
    assert segment(glued, 5).sentences == [
        "ten houses collapsed in the old town the mayor told the vilde courier vc",
        "we are still searching two of them he said",
        "the road to the port was closed for the night",
    ]


# An agency story with a long lead, as it stands on a republisher's page under the page's own
# headline, a two-sentence standfirst, a time stamp, a photo caption and a credit line; and a site's
# shorter copy whose editor put a clause of its own in front of the lead (the window of the lead's
# first words no longer matches) and reworded a sentence of the body.
HAUL_LEAD = (
    "Customs officers at the port of Vilde seized 2.4 tonnes of cocaine hidden in a shipment of frozen "
    "fish from Ecuador on Thursday, the largest haul ever made in the country, in an operation that "
    "ended with 7 arrests in Vilde, Osterholm and Brenna and searches of 4 warehouses, the finance "
    "ministry said, adding that the crew of 22 of the container ship had been questioned for two days "
    "before it was allowed to sail on to Rotterdam."
)
HAUL_BODY = [
    "The drugs were found in 38 pallets of frozen tuna unloaded from the container ship Marisol, after "
    "a scanner at the terminal showed packages that did not match the cargo declared by the importer.",
    "Investigators believe the shipment was bound for a network that sold cocaine in several cities of "
    "the region, and that the fish company in Osterholm had been set up only a year ago as a front.",
    "Finance minister Anna Berg said the seizure showed that the new scanners bought last year were "
    "paying off, and promised 60 more customs officers for the port before the end of the year.",
]
HAUL_PAGE = (
    "Record cocaine haul at Vilde\n\n"
    "The country has never seen a drug seizure this large. Seven suspects are in custody after raids "
    "in three towns.\n"
    "Published: 12 minutes ago\n"
    "A scanner operator checks a container at a terminal of a northern port last winter. (Archive image)\n"
    "Photo: Norrpress\n\n" + "\n\n".join([HAUL_LEAD, *HAUL_BODY])
)
HAUL_EDITED = "\n\n".join(
    [
        HAUL_LEAD.replace(
            "Customs officers at the port of Vilde seized",
            "Tipped off by the Spanish police and watched by officers of three other countries, the "
            "customs service of the country seized at the port of Vilde",
        ),
        HAUL_BODY[0],
        HAUL_BODY[1]
        .replace(
            "Investigators believe the shipment was bound for",
            "According to investigators, the cargo was meant for",
        )
        .replace("had been set up only a year ago as a front", "was a front set up a year ago"),
    ]
)


def test_a_lead_reworded_at_its_start_under_another_site_s_caption_is_still_the_lead() -> None:
    page, edited = feats(HAUL_PAGE, T0 + timedelta(hours=2)), feats(HAUL_EDITED)
    ev = alignment(edited, page, CFG)
    assert ev.lead_moved and not ev.lead, ev.describe()  # the window of the lead's first words misses it
    verdict = compare(edited, page, CFG)
    assert verdict.same and verdict.rule == "copy", verdict.describe()
    # Known to be days apart, a lead found that far down is not taken for the opening.
    assert not compare(feats(HAUL_EDITED), feats(HAUL_PAGE, T0 + timedelta(days=3)), CFG).same


def test_the_same_page_over_another_seizure_s_lead_is_not_the_lead() -> None:
    # The agency's formula for another seizure under the same page furniture: other figures.
    other = HAUL_PAGE.replace("2.4 tonnes", "1.1 tonnes").replace("7 arrests", "3 arrests")
    ev = alignment(feats(HAUL_EDITED), feats(other, T0 + timedelta(hours=2)), CFG)
    assert not ev.lead and not ev.lead_moved, ev.describe()
    assert not compare(feats(HAUL_EDITED), feats(other, T0 + timedelta(hours=2)), CFG).same


def test_a_shared_quote_is_no_moved_lead() -> None:
    quote = BODY[1]
    a = "Officials toured the repaired bridge on Monday. The works ran two months late. " + quote
    b = "The opposition criticised the cost of the Kessel repairs in parliament on Tuesday. " + quote
    b += " Ministers rejected the call and said the audit office would look at the contract next year."
    assert not alignment(feats(a), feats(b), CFG).lead_moved


# The spinner's copy of SLIDE_WIRE with its first two sentences rebuilt from the clauses up (no chain
# of words left in them), the later ones re-edited as before: each sentence keeps its names and figures.
SLIDE_SPUN_LEAD = [
    "Rescue teams from Tallmoor spent Wednesday night hunting for 6 missing people after 14 houses in "
    "Brekka, a mountain hamlet, vanished under a mudslide, regional police reported.",
    "The Weather Office said its Skarvik station had logged 212 millimetres since the month began, "
    "after 9 days of downpours over the hills above Brekka.",
    *SLIDE_SPUN[2:],
]


def test_a_spin_that_rebuilt_the_lead_keeps_its_skeleton_and_is_a_copy() -> None:
    wire = feats("\n\n".join(SLIDE_WIRE))
    spun = feats("\n\n".join(SLIDE_SPUN_LEAD), T0 + timedelta(hours=3))
    verdict = compare(wire, spun, CFG)
    assert verdict.same and verdict.rule == "skeleton", verdict.describe()
    assert verdict.evidence is not None and not verdict.evidence.lead  # the words of the lead are gone
    assert skeleton_in_order(wire.skeleton, spun.skeleton, CFG.skeleton_anchor_share).lead_kept


def test_a_spin_with_a_rebuilt_lead_for_another_event_stays_apart() -> None:
    other = [s.replace("6 missing", "2 missing").replace("14 houses", "9 houses") for s in SLIDE_SPUN_LEAD]
    verdict = compare(feats("\n\n".join(SLIDE_WIRE)), feats("\n\n".join(other), T0 + timedelta(hours=3)), CFG)
    assert not verdict.same, verdict.describe()


def test_another_agency_with_its_own_lead_and_grouping_has_no_skeleton_lead() -> None:
    wire = feats("\n\n".join(SLIDE_WIRE))
    other = feats("\n\n".join(SLIDE_OTHER_AGENCY), T0 + timedelta(hours=3))
    match = skeleton_in_order(wire.skeleton, other.skeleton, CFG.skeleton_anchor_share)
    assert not compare(wire, other, CFG).same
    assert match.kept < CFG.skeleton_share * min(len(wire.skeleton), len(other.skeleton))


# A wire flash as one site ran it: the agency's dateline in front, the site's copyright line and
# comment notice after it; the fuller take of the same hours carries no dateline.
FERRY_FLASH = (
    "VILDE, Marran (Norrpress) - A ferry with 212 people on board ran aground off Skarvik on Monday "
    "night, police said.\n\n"
    "Copyright © 2025 Norrpress. All rights reserved. Please read our comment rules before posting."
)
FERRY_FULL = "\n\n".join(
    [
        "A ferry with 212 people on board ran aground off Skarvik on Monday night, police said, and "
        "coastguard boats took everyone ashore by morning without injuries.",
        "The Brenna Line vessel hit a sandbank in fog about 2 kilometres from the harbour, a spokesman "
        "for the operator said.",
        "Divers found a crack in the hull but no fuel leak, and tugs were expected to pull the ship free "
        "at high tide on Tuesday.",
    ]
)


def test_a_flash_under_its_dateline_and_a_copyright_line_is_a_copy_of_the_fuller_take() -> None:
    flash = feats(FERRY_FLASH)
    assert flash.segmented.datelines == {flash.segmented.spans[0]: 3}  # "VILDE, Marran (Norrpress) -"
    assert len(flash.segmented.content) == 2  # the copyright line is the site's, not the story's
    verdict = compare(flash, feats(FERRY_FULL, T0 + timedelta(hours=3)), CFG)
    assert verdict.same and verdict.evidence is not None and verdict.evidence.strong == 1, verdict.describe()


def test_another_agency_s_flash_under_its_own_dateline_is_not_a_copy() -> None:
    other = (
        "OSLO (Vestwire) - Some 212 people were brought ashore after a ferry struck a sandbank near "
        "Skarvik late on Monday, officials said.\n\nCopyright © 2025 Vestwire. All rights reserved."
    )
    assert not compare(feats(other), feats(FERRY_FULL, T0 + timedelta(hours=3)), CFG).same


def test_a_name_with_a_party_in_brackets_is_no_dateline() -> None:
    seg = segment("Senator Jane Morrow (D) said on Monday that the ferry line would be inspected.", 5)
    assert seg.datelines == {}


def test_a_hard_wrapped_agency_text_keeps_its_sentences_whole() -> None:
    # Fixed-width lines break sentences where the next line goes on in lower case or with a figure;
    # a line that starts with a capital may be a name and stays a break (a fragment, not a sentence).
    wrapped = (
        "Engineers reopened the Kessel Bridge over the Marran estuary on Monday after\n"
        "eleven months of repairs that cost the regional authority\n"
        "48 million euros, two years after cracks were found in its piers.\n"
        "The bridge carries about 31,000 vehicles a day between Osterholm and the port\n"
        "of Vilde, and its closure forced lorries onto a ferry link that often ran hours\n"
        "behind schedule during the summer."
    )
    assert segment(wrapped, 5).sentences == segment("\n\n".join([LEAD, BODY[0]]), 5).sentences
    verdict = compare(feats(wrapped), feats(FULL, T0 + timedelta(hours=1)), CFG)
    assert verdict.same and verdict.evidence is not None and verdict.evidence.strong == 2, verdict.describe()
    headline = "Kessel Bridge reopens\nafter eleven months"  # a headline wrapped onto a lower-case line
    assert segment(headline, 5).sentences == ["kessel bridge reopens after eleven months"]


# The agency's story filed from one bureau, and its follow-up filed from another the next morning:
# a new top (an official's denial and a quote), then the first story's lead and a paragraph again.
BUREAU_FIRST = "\n\n".join(
    [
        "VILDE (Norrpress) - Customs officers at the port of Vilde seized 2.4 tonnes of cocaine hidden "
        "in frozen fish from Ecuador on Thursday, the finance ministry said.",
        *HAUL_BODY,
    ]
)
BUREAU_FOLLOW_UP = "\n\n".join(
    [
        "OSTERHOLM (Norrpress) - The fish importer named in the cocaine case denied on Friday any "
        "knowledge of the drugs, its lawyer told reporters in Osterholm.",
        '"My client is a victim of this network, not part of it," the lawyer said.',
        "Customs officers at the port of Vilde seized 2.4 tonnes of cocaine hidden in frozen fish from "
        "Ecuador on Thursday, the finance ministry said.",
        HAUL_BODY[0],
    ]
)


def test_a_follow_up_from_another_bureau_repeating_the_first_story_is_another_dispatch() -> None:
    verdict = compare(feats(BUREAU_FIRST), feats(BUREAU_FOLLOW_UP, T0 + timedelta(hours=20)), CFG)
    assert not verdict.same and verdict.rule == "other-dispatch", verdict.describe()


def test_a_copy_keeping_the_dateline_or_adding_the_region_is_still_a_copy() -> None:
    regional = BUREAU_FIRST.replace("VILDE (Norrpress) -", "VILDE, Marran (Norrpress) -")
    verdict = compare(feats(BUREAU_FIRST), feats(regional, T0 + timedelta(hours=1)), CFG)
    assert verdict.same, verdict.describe()
    other_agency = BUREAU_FIRST.replace("VILDE (Norrpress) -", "VILDE (Vestwire) -")
    assert compare(feats(BUREAU_FIRST), feats(other_agency), CFG).rule == "other-dispatch"


def test_a_dateline_whose_date_one_copy_dropped_is_the_same_dispatch() -> None:
    dated = BUREAU_FIRST.replace("VILDE (Norrpress) -", "VILDE, 14 Mar. (Norrpress) -")
    verdict = compare(feats(dated), feats(BUREAU_FIRST, T0 + timedelta(hours=1)), CFG)
    assert verdict.same, verdict.describe()
    next_day = BUREAU_FIRST.replace("VILDE (Norrpress) -", "VILDE, 15 Mar. (Norrpress) -")
    assert compare(feats(dated), feats(next_day), CFG).rule == "other-dispatch"


def test_a_standfirst_on_each_side_over_the_same_lead_keeps_the_lead() -> None:
    # Each site put its own lines over the agency's lead and cut the copy differently: the lead is
    # the second sentence of one (under a one-line summary) and the fourth of the other (under two
    # teaser lines and a photo caption), whole, with its next sentence after it.
    a = (
        "The Kessel Bridge is open again after almost a year of works.\n\n"
        "Lorry drivers no longer need to wait for the ferry.\n\n"
        "The first cars crossed the bridge shortly after dawn on Monday (photo: archive).\n\n"
        + LEAD
        + "\n\n"
        + "\n\n".join(BODY)
    )
    b = (
        "Repairs finished ahead of the summer season, officials say.\n\n"
        + LEAD.replace("eleven months of repairs", "eleven months of repair work")
        + "\n\n"
        + "\n\n".join(BODY[:2])
        + "\n\nThe authority has not said when the ferry link will stop running."
    )
    verdict = compare(feats(a, None), feats(b, None), CFG)
    assert verdict.same and verdict.evidence.lead, verdict.describe()
    # A line of background the two share as their second sentences is no lead: it names a year.
    history = "The bridge opened in 1974 and was widened once, in 1998, to four lanes of traffic."
    c = "Ferry crews went on strike on Friday over pay, stranding passengers at Vilde.\n\n" + history
    d = "A lorry caught fire on the Vilde approach road on Tuesday, closing it for hours.\n\n" + history
    ev = alignment(feats(c + "\n\n" + BODY[2]), feats(d + "\n\n" + BODY[2]), CFG)
    assert not ev.lead_moved, ev.describe()


def test_most_of_a_text_in_unchanged_sentences_under_the_same_lead_is_a_copy() -> None:
    # A later take of the same hours re-edited inside its sentences: chains broken into short pieces
    # (coverage under `copy_coverage`), but the lead kept and most of the text almost unchanged.
    kept = Alignment(0.41, 6, 4, 4, 0.66, True, 1, 0)
    assert _sentences_kept(kept, 0.1, CFG)
    # Two outlets on one event sharing the lead's facts and a sentence or two stay apart...
    assert not _sentences_kept(Alignment(0.40, 12, 4, 2, 0.19, True, 1, 0), 0.1, CFG)
    # ...so do a text without the other's lead, one with a figure replaced, and one days later.
    assert not _sentences_kept(Alignment(0.41, 6, 4, 4, 0.66, False, 1, 0), 0.1, CFG)
    assert not _sentences_kept(Alignment(0.41, 6, 4, 4, 0.66, True, 1, 1), 0.1, CFG)
    assert not _sentences_kept(kept, 3.0, CFG)


# Japanese writes no spaces between words: each kana or Han character is a token, so a re-edited
# sentence still aligns. Texts written for this test (a fictional festival cancelled by a storm).
JA_A = (
    "北浜市で開かれる予定だった港まつりが、台風の接近により中止されました。"
    "市の観光課によりますと、まつりは３日間の日程で約１２万人の来場が見込まれていました。"
    "実行委員会は２日夜に会合を開き、安全を確保できないとして中止を決めたということです。"
    "出店を予定していた業者には、準備にかかった費用の一部を補償する方針だということです。"
    "港まつりが台風で中止されるのは、記録が残る中では初めてだということです。"
)
JA_COPY = (
    "北浜市で開催予定だった港まつりが、台風の接近で中止となりました。"
    "市観光課によると、まつりは３日間の日程で、約１２万人の来場を見込んでいました。"
    "実行委員会は２日の夜に会合を開いて、来場者の安全が確保できないとして中止を決めました。"
    "出店予定の業者には、準備にかかった費用の一部を補償する方針です。"
)
JA_OTHER = (
    "台風１５号の影響で、北浜市の港まつりが取りやめになった。"
    "実行委員長の山田さんは「楽しみにしていた皆さんに申し訳ない」と話した。"
    "会場の岸壁では２日午後、作業員らがテントやステージを急いで片付けていた。"
    "まつりは毎年夏の終わりに行われ、花火大会が人気を集めている。"
    "市は来年の開催に向けて、日程の見直しも検討するとしている。"
)


def test_a_reedited_japanese_copy_is_a_copy_and_another_outlets_text_is_not() -> None:
    verdict = compare(feats(JA_A, lang="ja"), feats(JA_COPY, lang="ja"), CFG)
    assert verdict.same, verdict.describe()
    verdict = compare(feats(JA_A, lang="ja"), feats(JA_OTHER, lang="ja"), CFG)
    assert not verdict.same, verdict.describe()
    # Sentences end at the full stop although no space follows it.
    assert len(segment(JA_A, CFG.min_sentence_words).spans) == 5


# An embedded social-media post as a page's text keeps it: the post's words and its picture link,
# and the embed's signature line. Every outlet on the event embeds the same post (texts written for
# these tests: a fictional pier collapse).
PIER_POST = (
    "The Harbour Authority of Vilde confirms that the north pier collapsed at 06:40 this morning, "
    "no one was on it at the time and the ferry terminal is closed until further notice. "
    "pic.twitter.com/Qw3rT9zXk1"
)
PIER_SIGNATURE = "— Vilde Harbour (@VildeHarbour) March 4, 2025"
PIER_FLASH = (
    "Vilde harbour pier collapses\n\n"
    "The north pier of Vilde harbour collapsed early on Tuesday, the harbour authority announced today, "
    "closing the ferry terminal.\n" + PIER_POST + "\n" + PIER_SIGNATURE
)
PIER_OTHER = (
    "The north pier of Vilde harbour collapsed on Tuesday morning, the port authority announced, and "
    "the ferry terminal was shut.\n\n"
    "Photos shared online showed the wooden deck lying in the water beside the terminal building.\n\n"
    + PIER_POST
    + "\nRead also: storms batter the coast"
)


def test_two_flashes_embedding_one_post_are_not_copies() -> None:
    # Each outlet's own lead says the event in its own words; the post they both embed is its
    # author's, which makes neither a copy of the other.
    flash = feats(PIER_FLASH)
    verdict = compare(flash, feats(PIER_OTHER, T0 + timedelta(hours=1)), CFG)
    assert not verdict.same, verdict.describe()
    seg = flash.segmented
    assert len(seg.content) == 1 and len(seg.leads) == 1  # the own lead only: no post line
    post_start = seg.content[0][1]
    assert all(seg.quoted[post_start:])  # the post's words and its signature are quoted


def test_a_wire_copy_with_posts_between_its_paragraphs_is_a_copy() -> None:
    # A site inserts posts between the agency's paragraphs, in any of their extracted forms: text,
    # link and signature on one line; the post's text over its signature line; its address alone
    # (no sentence of the running text in any case).
    with_posts = "\n\n".join(
        [
            LEAD,
            "Finally open again!! #KesselBridge pic.twitter.com/aB12cD34eF — Marran Daily (@marrandaily) "
            "March 4, 2025",
            BODY[0],
            "First lorries crossing the bridge this morning, no queues at all. Drive safely everyone.",
            "— Petra Laine (@petralaine) 4 mars 2025",
            BODY[1],
            "https://x.com/osterholm_port/status/1897001234567890123?s=20",
            BODY[2],
        ]
    )
    seg = segment(with_posts, CFG.min_sentence_words)
    assert len(seg.content) == 4  # the article's four paragraphs, none of the posts
    verdict = compare(feats(FULL), feats(with_posts, T0 + timedelta(hours=2)), CFG)
    assert verdict.same and verdict.rule == "copy", verdict.describe()


def test_a_post_opening_a_text_is_no_lead_and_a_byline_handle_is_no_post() -> None:
    seg = segment(PIER_POST + "\n" + PIER_SIGNATURE + "\n\n" + LEAD, CFG.min_sentence_words)
    assert seg.leads == (seg.content[0],) and seg.tokens[seg.body] == "engineers"
    # A reporter's handle under the headline is a byline, and one in a sentence of hers a citation,
    # not a post: the paragraph stays running text.
    cited = LEAD + " Commissioner Petra Laine (@petralaine) wrote in March 2025 that the piers were sound."
    seg = segment("Bridge reopens\n(@petralaine)\n\n" + cited, CFG.min_sentence_words)
    assert not any(seg.quoted) and len(seg.content) == 2


def test_a_post_on_the_line_of_the_outlet_s_own_sentences_takes_only_its_own_length() -> None:
    # An extractor that lost the paragraph breaks puts the outlet's sentences and the post on one
    # line: the post reaches back no further than a post's length from its link.
    own = (
        "The north pier of Vilde harbour collapsed early on Tuesday, the harbour authority said. "
        "Its statement on the social network said that nobody had been on the pier when the wooden deck "
        "gave way shortly before seven in the morning, and that the ferry terminal beside it was now "
        "closed to passengers and to lorries until engineers had inspected the rest of the quay. "
    )
    seg = segment(own + PIER_POST + " " + PIER_SIGNATURE, CFG.min_sentence_words)
    assert len(seg.content) == 2 and len(seg.leads) == 2  # the outlet's two sentences
    assert not any(seg.quoted[: seg.content[-1][1]]) and all(seg.quoted[seg.content[-1][1] :])
