"""Links between languages on texts written for these tests: a translation poor in figures is linked by
its names and figures in order; another event of the same topic, told with the same places, is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsmon.stories.anchors import anchors, clock_minutes, name_key, weekdays
from newsmon.stories.compare import Features
from newsmon.stories.config import FoldConfig
from newsmon.stories.links import compare_across

CFG = FoldConfig()
T0 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)

EN = (
    "Police in Valmont arrested a man suspected of setting fire to the town hall of Brisac on Saturday, "
    "interior minister Odile Farnaud said. Officers of the Corbel unit found him in Estrane, about 40 "
    "kilometres north of Brisac, after a chase. Mayor Tomas Renvik said the archive room was destroyed. "
    "Prosecutor Anja Mellor opened an inquiry."
)
PT = (
    "A polícia de Valmont deteve um homem suspeito de incendiar a câmara municipal de Brisac no sábado, "
    "disse a ministra do Interior Odile Farnaud. Agentes da unidade Corbel encontraram-no em Estrane, "
    "cerca de 40 quilómetros a norte de Brisac, depois de uma perseguição. O presidente da câmara, "
    "Tomas Renvik, disse que a sala do arquivo ficou destruída. A procuradora Anja Mellor abriu um inquérito."
)
OTHER_EVENT = (
    "Em Brisac, a procuradora Anja Mellor acusou dois jovens de vandalismo na escola de Estrane. O "
    "presidente da câmara, Tomas Renvik, pediu calma, e a ministra Odile Farnaud prometeu 12 novas "
    "câmaras de vigilância para Valmont até 2026."
)


def feats(text: str, lang: str, published: datetime = T0) -> Features:
    return Features(text, lang, published, CFG.shingle_chars, CFG.lead_chars, CFG.min_sentence_words)


def test_a_translation_with_one_figure_is_linked_by_its_names_in_order() -> None:
    verdict = compare_across(feats(EN, "en"), feats(PT, "pt", T0 + timedelta(hours=3)), CFG)
    assert verdict.linked and verdict.rule == "same-sequence", verdict.describe()


def test_another_event_with_the_same_people_and_places_is_not_linked() -> None:
    verdict = compare_across(feats(EN, "en"), feats(OTHER_EVENT, "pt", T0 + timedelta(hours=20)), CFG)
    assert not verdict.linked, verdict.describe()


def test_figures_written_as_words_count_as_figures() -> None:
    # One report writes the counts in words, the other in digits: the same event, linked.
    en = (
        "Valmont brought home four women and nine children from the Harrow camp on Tuesday, foreign "
        "minister Odile Farnaud said in Brisac. The group landed in Estrane, where Tomas Renvik met them."
    )
    de = (
        "Valmont hat am Dienstag 4 Frauen und 9 Kinder aus dem Lager Harrow zurückgeholt, sagte "
        "Außenministerin Odile Farnaud in Brisac. Die Gruppe landete in Estrane, wo Tomas Renvik sie empfing."
    )
    verdict = compare_across(feats(en, "en"), feats(de, "de", T0 + timedelta(hours=2)), CFG)
    assert verdict.linked and {"4", "9"} <= set(verdict.figures), verdict.describe()


FR_QUAKE = (
    "Un séisme de magnitude 6,4 a frappé mardi l'archipel de Sorvane, à 148 kilomètres à l'est de "
    "Port-Mérel et à une profondeur de 12 kilomètres, selon l'institut de géophysique de Valmont. La "
    "secousse s'est produite à 09h14 heure locale (13h14 GMT). Deux répliques de magnitude 5,1 et 4,8 "
    "ont suivi. En 2011, un séisme de magnitude 7,2 avait fait plus de 350 morts dans l'archipel."
)
# The same agency text in its Arabic service: no capitals, so no names, only the figures in order.
AR_QUAKE = (
    "ضرب زلزال بقوة 6,4 درجات الثلاثاء أرخبيل سورفان، على بعد 148 كيلومترا شرق بور ميريل وعلى عمق 12 "
    "كيلومترا، بحسب معهد الجيوفيزياء في فالمون. ووقعت الهزة عند الساعة 09,14 بالتوقيت المحلي (13,14 "
    "بتوقيت غرينتش). وتلتها هزتان ارتداديتان بقوة 5,1 و4,8 درجات. وفي 2011، تسبب زلزال بقوة 7,2 درجات "
    "بمقتل أكثر من 350 شخصا في الأرخبيل."
)
# Another quake in the same islands two days later, recalling the same history.
AR_OTHER_QUAKE = (
    "ضرب زلزال جديد بقوة 5,1 درجات الخميس جنوب أرخبيل سورفان، على بعد 60 كيلومترا من بور ميريل وعلى "
    "عمق 30 كيلومترا. ولم ترد تقارير عن أضرار. وفي 2011، تسبب زلزال بقوة 7,2 درجات بمقتل أكثر من 350 "
    "شخصا في الأرخبيل."
)


def test_an_arabic_translation_is_linked_by_its_figures_in_order() -> None:
    verdict = compare_across(feats(FR_QUAKE, "fr"), feats(AR_QUAKE, "ar", T0 + timedelta(hours=1)), CFG)
    assert verdict.linked and verdict.rule == "same-figures", verdict.describe()


def test_an_arabic_report_of_another_quake_sharing_the_background_is_not_linked() -> None:
    verdict = compare_across(feats(FR_QUAKE, "fr"), feats(AR_OTHER_QUAKE, "ar", T0 + timedelta(days=2)), CFG)
    assert not verdict.linked, verdict.describe()


def test_a_name_after_an_elided_article_is_a_name() -> None:
    # French and Italian glue the article to the name (l'Afghanistan, dell'Ucraina, d'Israël); the
    # English report of the same event names the same countries.
    fr = "Le ministre a rencontré lundi à Brisac ses homologues d'Israël, de l'Ukraine et de l'Afghanistan."
    it = "Il ministro ha incontrato lunedì a Brisac i colleghi dell'Ucraina e dell'Afghanistan."
    en = "The minister met his counterparts from Israel, Ukraine and Afghanistan in Brisac on Monday."
    expected = {name_key(n) for n in ("Israel", "Ukraine", "Afghanistan")}
    assert expected <= set(anchors(fr).names) and expected <= set(anchors(en).names)
    assert {name_key("Ukraine"), name_key("Afghanistan")} <= set(anchors(it).names)
    # ...and a word after an elided article that is no name stays out ("d'après", "l'homme").
    assert not set(anchors("Selon lui, l'homme est parti d'après la police.").names)


# A short agency note on an aftershock in a caseless script (no names to read) and the English note
# of the same hour: a magnitude, a clock time and a depth, all in the same order. The note on another
# aftershock at the same place repeats the magnitude and the background count, not the time and depth.
AR_NOTE = (
    "ضربت هزة ارتدادية بقوة 4.8 درجات منطقة الجبال الشمالية فجر الثلاثاء عند الساعة 03:17 بالتوقيت "
    "المحلي.\n\nوقالت هيئة الرصد إن الهزة وقعت على عمق 9.6 كيلومترات ولم تسجل أضرار."
)
EN_NOTE = (
    "An aftershock of magnitude 4.8 shook the Varnen highlands at 03.17 local time on Tuesday, the "
    "Varnen seismic office said. It struck at a depth of 9.6 kilometres, and no damage was reported "
    "in Ostrava or the nearby villages, where 312 families still live in tents since the main quake."
)
EN_OTHER_NOTE = (
    "An aftershock of magnitude 4.8 shook the Varnen highlands at 21.40 local time on Thursday, the "
    "Varnen seismic office said. It struck at a depth of 14.2 kilometres, and no damage was reported "
    "in Ostrava or the nearby villages, where 312 families still live in tents since the main quake."
)


def test_a_name_is_a_capitalised_word_that_starts_its_token() -> None:
    # Inside a token a capital is no name ("anti-Kremlin", "rock'n'Roll"); after an opening quote or
    # an elided article it is ("’Orban", "d'Ankara").
    text = "An anti-Kremlin rally met rock'n'Roll fans; a man said ’Orban lied' on the road d'Ankara."
    assert set(anchors(text).names) == {name_key("Orban"), name_key("Ankara")}


def test_a_short_note_in_a_caseless_script_is_linked_by_its_exact_figures_in_order() -> None:
    verdict = compare_across(feats(AR_NOTE, "ar"), feats(EN_NOTE, "en", T0 + timedelta(minutes=40)), CFG)
    assert verdict.linked and verdict.rule == "same-figures", verdict.describe()


def test_a_short_note_on_another_aftershock_at_the_same_place_is_not_linked() -> None:
    verdict = compare_across(feats(AR_NOTE, "ar"), feats(EN_OTHER_NOTE, "en", T0 + timedelta(days=2)), CFG)
    assert not verdict.linked, verdict.describe()


def test_the_lead_is_its_first_distinct_anchors_in_order_without_years() -> None:
    text = (
        "Governor Hedda Marstrand said in Talvering that 14 miners were rescued in 2025 at Orsk, "
        "where Marstrand had sent 14 divers and 3 pumps from Quenford, Belgrove and Sallowmere."
    )
    lead = anchors(text).lead(6)
    # In text order, each once; the year and the single digit (no key, see `Anchors.keys`) left out,
    # as is "Hedda" (one consonant: no name key).
    names = ("Marstrand", "Talvering", "Orsk", "Quenford", "Belgrove")
    assert lead == (name_key(names[0]), name_key(names[1]), "#14", *map(name_key, names[2:]))
    assert anchors(text).lead(2) == lead[:2]
    assert anchors(text).lead(6, figures_only=True) == ("#14",)


# Without a date on either side there is no time gap to tell two events of one kind at one place
# apart: an agency's text on a quake and its template for the next quake at the same town with the
# same magnitude, months later, share the places, the magnitude and the history recalled.
FR_FIRST = (
    "Un séisme de magnitude 5,9 a frappé dimanche Orvanne, dans la province de Kestral, dans l'ouest "
    "de la Valdavie, a annoncé l'agence de gestion des catastrophes Vamek. La secousse, survenue à "
    "19h53, a été ressentie à Port-Lisen et à Dravosk. Une réplique de magnitude 4,6 a suivi quelques "
    "minutes plus tard, et 37 personnes ont été blessées. En 2019, un séisme avait fait 1.200 morts "
    "dans le sud du pays."
)
IT_FIRST = (
    "Un terremoto di magnitudo 5.9 ha colpito domenica Orvanne, nella provincia di Kestral, nella "
    "Valdavia occidentale, ha annunciato l'agenzia per la gestione dei disastri Vamek. La scossa, "
    "avvenuta alle 19:53, è stata avvertita a Port-Lisen e a Dravosk. Una replica di magnitudo 4.6 è "
    "seguita pochi minuti dopo; 37 persone sono rimaste ferite. Nel 2019 un terremoto aveva causato "
    "1.200 morti nel sud del Paese."
)
IT_NEXT = (
    "Un terremoto di magnitudo 5.9 ha colpito ieri sera Orvanne, nella provincia di Kestral, nella "
    "Valdavia occidentale, ha annunciato l'agenzia Vamek. Il sisma è stato avvertito a Port-Lisen e a "
    "Dravosk, ma non sono state segnalate vittime. Nel 2019 un terremoto aveva causato 1.200 morti nel "
    "sud del Paese."
)
IT_NEXT_TIMED = IT_NEXT.replace("ieri sera", "ieri sera alle 22:48")


def undated(text: str, lang: str, fetched: datetime | None = None) -> Features:
    return Features(
        text, lang, None, CFG.shingle_chars, CFG.lead_chars, CFG.min_sentence_words, fetched=fetched
    )


def test_an_undated_translation_sharing_the_event_figures_is_linked() -> None:
    verdict = compare_across(undated(FR_FIRST, "fr"), undated(IT_FIRST, "it"), CFG)
    assert verdict.linked, verdict.describe()


def test_undated_reports_of_two_quakes_sharing_place_magnitude_and_history_are_not_linked() -> None:
    # The figures both give are the magnitude and the history's (a sentence naming a year).
    verdict = compare_across(undated(FR_FIRST, "fr"), undated(IT_NEXT, "it"), CFG)
    assert not verdict.linked and verdict.rule == "undated-few-figures", verdict.describe()
    # With the dates known the same texts are kept apart by the time gap instead, and within days
    # of each other the shared places and figures are evidence enough (the rule is for undated pairs).
    dated = compare_across(feats(FR_FIRST, "fr"), feats(IT_NEXT, "it", T0 + timedelta(hours=5)), CFG)
    assert dated.linked, dated.describe()


def test_undated_reports_giving_other_times_of_day_are_not_linked() -> None:
    verdict = compare_across(undated(FR_FIRST, "fr"), undated(IT_NEXT_TIMED, "it"), CFG)
    assert not verdict.linked and verdict.rule == "time-differs", verdict.describe()


def test_a_round_time_of_day_does_not_contradict_a_minute() -> None:
    # One report puts the crash "shortly before 7.30", the other at 7.14: a report's own rounding to
    # the half hour, not another moment. Two minutes that are both exact still differ (see above).
    fr = (
        "Un avion de la compagnie Norvel s'est écrasé peu après son décollage de l'aéroport de Tasmir, "
        "faisant au moins 23 morts et 61 blessés, selon le ministère de Vardania. L'accident s'est "
        "produit peu avant 7h30, heure locale, près du village de Kolbeck."
    )
    en = (
        "A Norvel airliner crashed shortly after take-off from Tasmir airport, killing at least 23 "
        "people and injuring 61, the Vardania ministry said. The plane went down at 7.14am near the "
        "village of Kolbeck."
    )
    verdict = compare_across(undated(fr, "fr"), undated(en, "en"), CFG)
    assert verdict.linked, verdict.describe()
    exact = compare_across(undated(fr.replace("7h30", "7h41"), "fr"), undated(en, "en"), CFG)
    assert not exact.linked and exact.rule == "time-differs", exact.describe()


def test_the_same_time_of_day_in_another_zone_is_one_moment() -> None:
    # "22:48" local and "19.48 GMT" / "10.48 pm": the minutes agree, so no conflict, and the shared
    # moment counts as a figure of the event.
    en = (
        "A magnitude 5.9 earthquake struck Orvanne in Kestral province late on Monday at 10.48 pm local "
        "time (19.48 GMT), the Vamek agency said. It was felt in Port-Lisen and Dravosk."
    )
    verdict = compare_across(undated(IT_NEXT_TIMED, "it"), undated(en, "en"), CFG)
    assert verdict.linked, verdict.describe()


def test_an_undated_translation_rich_in_names_is_linked_with_one_figure() -> None:
    verdict = compare_across(undated(EN, "en"), undated(PT, "pt"), CFG)
    assert verdict.linked and verdict.rule == "same-sequence", verdict.describe()


def test_undated_copies_fetched_weeks_apart_are_not_linked() -> None:
    # Without dates, the pipeline's fetch times (a feed lists a page when it is new) tell the weeks.
    near = compare_across(undated(EN, "en", T0), undated(PT, "pt", T0 + timedelta(hours=6)), CFG)
    far = compare_across(undated(EN, "en", T0), undated(PT, "pt", T0 + timedelta(days=60)), CFG)
    assert near.linked, near.describe()
    assert not far.linked and far.rule == "time-gap", far.describe()


# A Russian note and a Turkish note on one small quake: the transliterations leave one name alike
# (the Turkish sentence opens with the province), but both give the minute of the day, the
# magnitude and the depth to two decimals.
RU_QUAKE_NOTE = (
    "В провинции Кестрал зафиксировано землетрясение магнитудой 4,9. Подземные толчки произошли в "
    "районе Орванн в 03:12 по местному времени. Очаг находился на глубине 8,37 км. Толчки ощущались "
    "в соседних районах, сообщений о пострадавших нет."
)
TR_QUAKE_NOTE = (
    "Kestral'in Orvanne ilçesinde bu sabah saat 03.12'de 4.9 büyüklüğünde deprem meydana geldi. "
    "Depremin 8,37 kilometre derinlikte olduğu belirlendi. Vali açıklamasında hasar olmadığını söyledi."
)


def test_the_same_minute_magnitude_and_depth_link_notes_with_one_name_alike() -> None:
    verdict = compare_across(
        feats(RU_QUAKE_NOTE, "ru"), feats(TR_QUAKE_NOTE, "tr", T0 + timedelta(minutes=30)), CFG
    )
    assert verdict.linked and verdict.rule == "same-moment", verdict.describe()


def test_another_quake_of_the_same_magnitude_at_the_same_place_is_not_linked_by_its_minute() -> None:
    # Another time of day; or (by chance) the same minute two days later, with another depth.
    other_time = TR_QUAKE_NOTE.replace("03.12", "17.40").replace("8,37", "12,05")
    same_minute = TR_QUAKE_NOTE.replace("8,37", "15,20")
    for text in (other_time, same_minute):
        verdict = compare_across(feats(RU_QUAKE_NOTE, "ru"), feats(text, "tr", T0 + timedelta(days=2)), CFG)
        assert not verdict.linked, verdict.describe()


def test_greek_consonant_pairs_read_as_the_names_latin_spelling() -> None:
    # Greek writes d, b and j of other languages' names as ντ, μπ, τζ.
    for greek, latin in (("Ντέιβις", "Davis"), ("Μπάρμπαρα", "Barbara"), ("Τζόνσον", "Johnson")):
        assert name_key(greek) == name_key(latin), (greek, latin)
    en = (
        "Senator Barbara Davis met Governor Daniel Grayton and envoy Peter Johnson in Dendera on "
        "Tuesday. They agreed to send 12 engineers to the flooded valley."
    )
    el = (
        "Η γερουσιαστής Μπάρμπαρα Ντέιβις συναντήθηκε την Τρίτη στη Ντέντερα με τον κυβερνήτη Ντάνιελ "
        "Γκρέιτον και τον απεσταλμένο Πίτερ Τζόνσον. Συμφώνησαν να στείλουν 12 μηχανικούς στην "
        "πλημμυρισμένη κοιλάδα."
    )
    verdict = compare_across(feats(en, "en"), feats(el, "el", T0 + timedelta(hours=2)), CFG)
    assert verdict.linked and verdict.rule == "same-sequence", verdict.describe()


def test_a_pages_time_stamp_is_no_time_of_the_event() -> None:
    # The Italian page shows when it was updated above the text, and its text gives no time of day.
    stamped = "Esteri | 12 marzo, 08:41\n\n" + IT_FIRST.replace(", avvenuta alle 19:53,", "")
    verdict = compare_across(undated(FR_FIRST, "fr"), undated(stamped, "it"), CFG)
    assert verdict.linked, verdict.describe()


def test_an_undated_short_report_of_the_same_day_is_linked_by_its_weekday() -> None:
    # One figure of the event (the magnitude) and the same day of the week.
    en = (
        "A magnitude 5.9 earthquake struck Orvanne in Kestral province on Sunday, the Vamek agency "
        "said. It was felt in Port-Lisen and Dravosk, where two old houses collapsed."
    )
    verdict = compare_across(undated(FR_FIRST, "fr"), undated(en, "en"), CFG)
    assert verdict.linked, verdict.describe()
    other_day = compare_across(undated(FR_FIRST, "fr"), undated(en.replace("Sunday", "Monday"), "en"), CFG)
    assert not other_day.linked and other_day.rule == "day-differs", other_day.describe()


def test_undated_reports_naming_other_days_of_the_week_are_not_linked() -> None:
    monday = IT_FIRST.replace("domenica", "lunedì").replace(", avvenuta alle 19:53,", "")
    verdict = compare_across(undated(FR_FIRST, "fr"), undated(monday, "it"), CFG)
    assert not verdict.linked and verdict.rule == "day-differs", verdict.describe()


# Undated reports stating the day of their event: a short Ukrainian note and a German one on the
# return of children to a region, with one figure alike (the count) and a date each states.
UK_RETURN = (
    "У Тарновську область повернули 14 дітей, яких було вивезено до Ольштадта. Про це 5 березня "
    "повідомила обласна адміністрація. Діти вже перебувають у родин у місті Веренськ."
)
DE_RETURN = (
    "Am 5. März sind 14 Kinder aus Olstadt in die Region Tarnowsk zurückgekehrt, teilte die "
    "Gebietsverwaltung mit. Sie sind bei ihren Familien in Werensk."
)


def test_an_undated_pair_stating_the_same_day_is_linked_with_one_figure() -> None:
    # One figure of the event (14) and the same first stated date (5 March / 5. März).
    verdict = compare_across(undated(UK_RETURN, "uk"), undated(DE_RETURN, "de"), CFG)
    assert verdict.linked, verdict.describe()
    # The same text stating another day is another return (the count is all else they share).
    other = compare_across(
        undated(UK_RETURN, "uk"), undated(DE_RETURN.replace("5. März", "3. Juni"), "de"), CFG
    )
    assert not other.linked and other.rule == "date-differs", other.describe()


def test_a_date_recalled_later_in_the_text_is_no_day_of_the_event() -> None:
    # The German text's first date is another day; the one it recalls later is history (but within
    # the time gap of a date the other states, so no conflict either).
    recalled = DE_RETURN.replace("Am 5. März sind", "Am 2. April sind") + " Eine erste Gruppe kam am 5. März."
    verdict = compare_across(undated(UK_RETURN, "uk"), undated(recalled, "de"), CFG)
    assert not verdict.linked and verdict.rule == "undated-few-figures", verdict.describe()


def test_a_stated_date_weeks_from_the_other_copys_publication_is_another_event() -> None:
    # FR_FIRST and IT_FIRST are one event; an undated Italian copy stating a day weeks from the
    # French copy's publication day (T0, 2 June) reports another quake.
    stated = IT_FIRST.replace("domenica", "domenica 14 settembre")
    verdict = compare_across(feats(FR_FIRST, "fr"), undated(stated, "it"), CFG)
    assert not verdict.linked and verdict.rule == "date-differs", verdict.describe()
    same_day = compare_across(
        feats(FR_FIRST, "fr"), undated(IT_FIRST.replace("domenica", "domenica 1 giugno"), "it"), CFG
    )
    assert same_day.linked, same_day.describe()


def test_a_date_recalled_after_the_opening_tells_no_other_day() -> None:
    # The Ukrainian note states no day in its opening and recalls, further on, the day of an
    # earlier return: no conflict with the German one's day.
    recalled = (
        UK_RETURN.replace("Про це 5 березня", "Про це")
        + " Діти мають усе необхідне, кажуть волонтери." * 5
        + " Попередню групу дітей повернули ще 3 червня."
    )
    assert recalled.index("3 червня") > CFG.lead_chars
    verdict = compare_across(undated(recalled, "uk"), undated(DE_RETURN, "de"), CFG)
    assert verdict.rule != "date-differs", verdict.describe()


def test_an_arabic_time_and_day_of_the_week_are_read() -> None:
    text = "وقع الزلزال السبت الساعة 03.12 بالتوقيت المحلي"
    assert clock_minutes(text) == frozenset({"12"})
    assert weekdays(text) == frozenset({6})


def test_a_sentence_dating_the_event_on_the_copys_own_days_is_news_not_history() -> None:
    # The ministry's statement quoted in the lead dates the flight with its year: its counts are the
    # news. A sentence recalling another year's flight stays history, and so does the same sentence
    # in a copy published months after the date (or in an undated one).
    en = (
        "Vardania brought home citizens held in camps abroad, its foreign ministry said on Monday. "
        "“On March 9, 2026, a special flight from Harrow carried 17 women and 46 children to "
        "Tasmir,” the ministry said. In 2024 a first flight had brought back 112 people from the camps."
    )
    published = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    background = feats(en, "en", published).background_figures
    assert {"17", "46"}.isdisjoint(background) and "112" in background, background
    assert {"17", "46"} <= feats(en, "en", published + timedelta(days=90)).background_figures
    assert {"17", "46"} <= undated(en, "en").background_figures
