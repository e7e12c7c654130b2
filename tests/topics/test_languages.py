"""The shipped topic in the languages analysts read: a relevant article and a look-alike in each.

Every text here was written for these tests (none is copied from an article). The look-alikes are the
subjects that share the vocabulary: refugees going home, trials of adult returnees, Ukrainian children
brought back from Russia, migrant minors sent back, ethnic repatriates, camp security raids, soldiers'
remains. Languages written in two scripts are tested in both.
"""

from __future__ import annotations

import pytest

from newsmon.topics.model import Topic
from newsmon.topics.score import score_text

# lang -> (title, text) of an article the topic is about
RELEVANT: dict[str, tuple[str, str]] = {
    "es": (
        "España repatría a cuatro niños del campo de Al Hol",
        "El Gobierno trajo de vuelta el martes a cuatro menores, hijos de yihadistas del Estado Islámico, "
        "que vivían con sus madres en el campamento de Al Hol, en el noreste de Siria. Los niños pasarán "
        "unas semanas con psicólogos antes de reunirse con sus abuelos.",
    ),
    "it": (
        "Rimpatriati tre bambini italiani dal campo di Roj",
        "Tre bambini, figli di combattenti dell'Isis, sono stati riportati in Italia dal campo di Roj nel "
        "nord-est della Siria. Le loro madri sono ancora detenute; i piccoli saranno seguiti dai servizi "
        "sociali.",
    ),
    "pt": (
        "Portugal repatria duas crianças de campo na Síria",
        "Duas crianças portuguesas, filhas de um jiadista do Estado Islâmico, foram repatriadas esta "
        "semana do campo de Al Hol. O Governo diz que vão voltar à escola depois de um período de "
        "acompanhamento.",
    ),
    "nl": (
        "Kabinet haalt zes kinderen terug uit Syrisch kamp",
        "Nederland heeft zes kinderen van IS-strijders teruggehaald uit kamp Roj in Noordoost-Syrië. De "
        "kinderen zijn met twee moeders naar Nederland overgevlogen en worden opgevangen in pleeggezinnen.",
    ),
    "pl": (
        "Dzieci dżihadystów wróciły do kraju",
        "Z obozu al-Hol w Syrii sprowadzono do kraju pięcioro dzieci bojowników Państwa Islamskiego. "
        "Dzieci trafią pod opiekę psychologów, a ich matki pozostają w obozie.",
    ),
    "sv": (
        "Sju barn hämtas hem från lägret al-Hol",
        "Regeringen har hämtat hem sju barn till IS-anhängare från lägret al-Hol i Syrien. Barnen "
        "landade i Stockholm på fredagen och tas emot av socialtjänsten.",
    ),
    "no": (
        "Fem barn hentet hjem fra leiren i Syria",
        "Norske myndigheter har hentet hjem fem barn av fremmedkrigere fra al-Roj-leiren i Syria. Barna "
        "kom hjem med sin mor natt til tirsdag, og barnevernet har tatt imot dem.",
    ),
    "da": (
        "Tre børn hjemtaget fra fangelejr i Syrien",
        "Danmark har hjemtaget tre børn fra fangelejren al-Roj i det nordøstlige Syrien. Børnenes mor "
        "tilsluttede sig Islamisk Stat, og børnene skal nu i skole i Danmark.",
    ),
    "fi": (
        "Suomi kotiutti lapsia al-Holin leiriltä",
        "Suomi kotiutti kuusi lasta al-Holin leiriltä Syyriasta. Lasten äidit olivat liittyneet Isisiin; "
        "lapset saapuivat Suomeen torstaina ja lastensuojelu huolehtii heistä.",
    ),
    "tr": (
        "Irak'taki kamplarda tutulan çocuklar Türkiye'ye getirildi",
        "DEAŞ üyelerinin 30 çocuğu Bağdat'tan Türkiye'ye iade edildi. Çocuklar havalimanında "
        "akrabalarına teslim edildi ve psikolog desteği alacak.",
    ),
    "uk": (
        "Україна повернула з табору Аль-Хол шістьох дітей",
        "З табору Аль-Хол у Сирії на батьківщину повернули шістьох українських дітей та двох жінок. "
        "Діти пройдуть реабілітацію, а їхні матері дружини бойовиків ІДІЛ.",
    ),
    "sq": (
        "U riatdhesuan tetë fëmijë nga kampet në Siri",
        "Tetë fëmijë dhe tri gra u kthyen në Kosovë nga kampi al-Hol në Siri. Fëmijët e luftëtarëve të "
        "huaj do të kalojnë një program riintegrimi para se të nisin shkollën.",
    ),
    "sh": (
        "Iz kampa Al-Hol u BiH vraćeno sedmero djece",
        "U Bosnu i Hercegovinu iz Sirije vraćeno je sedmero djece i dvije žene iz kampa Al-Hol. Djeca "
        "stranih boraca bit će smještena kod rodbine uz pomoć centra za socijalni rad.",
    ),
    "kk": (
        "Сириядан 25 бала елге қайтарылды",
        "Жусан операциясы аясында Сириядағы лагерьден 25 бала мен 9 әйел елге қайтарылды. Балалар "
        "оңалту орталығында психологтардың көмегін алады.",
    ),
    "uz": (
        "Suriyadan 40 nafar bola Vatanga qaytarildi",
        "Mehr operatsiyasi doirasida Suriyadagi lagerdan 40 nafar bola va 12 nafar ayol Vatanga "
        "qaytarildi. Bolalar reabilitatsiya markazida psixologlar yordamini oladi.",
    ),
    "tg": (
        "Аз Ироқ 20 кӯдаки тоҷик ба Ватан баргардонида шуданд",
        "Бист кӯдаки ноболиғ, ки волидонашон ба ДОИШ пайваста буданд, аз зиндонҳои Бағдод ба "
        "Тоҷикистон оварда шуданд. Кӯдаконро хешовандонашон пешвоз гирифтанд.",
    ),
    "ky": (
        "Сириядан 14 бала мекенине кайтарылды",
        "Сириядагы лагерден 14 бала жана 5 аял Кыргызстанга кайтарылды. Балдар реабилитация борборунда "
        "психологдордун жардамын алышат.",
    ),
    "az": (
        "İraqdan 20 uşaq Azərbaycana qaytarıldı",
        "İŞİD-ə qoşulmuş valideynlərin 20 uşağı Bağdaddakı həbsxanalardan Azərbaycana qaytarıldı. "
        "Uşaqlar reabilitasiya mərkəzində psixoloqların köməyi ilə cəmiyyətə inteqrasiya olunacaq.",
    ),
    "fa": (
        "بازگشت کودکان اعضای داعش از اردوگاه الهول",
        "دوازده کودک که والدینشان به داعش پیوسته بودند از اردوگاه الهول در شمال شرق سوریه به کشورشان "
        "بازگردانده شدند. این کودکان زیر نظر روانشناسان قرار می‌گیرند.",
    ),
    "id": (
        "Pemerintah memulangkan anak-anak WNI dari kamp Al-Hol",
        "Pemerintah memulangkan tujuh anak yatim WNI eks ISIS dari kamp Al-Hol di Suriah. Anak-anak itu "
        "akan menjalani rehabilitasi di panti sosial Kementerian Sosial.",
    ),
    "hu": (
        "Hazahoztak négy gyereket a szíriai táborból",
        "Négy gyereket hoztak haza az al-Hol táborból, Szíriából; szüleik az Iszlám Állam harcosai "
        "voltak. A gyerekek pszichológusok segítségével kezdik meg az iskolát.",
    ),
    "ro": (
        "Copii repatriați din tabăra al-Hol",
        "Trei copii ai unor luptători ai Statului Islamic au fost repatriați din tabăra al-Hol din Siria. "
        "Copiii vor fi îngrijiți de Direcția pentru protecția copilului.",
    ),
    "cs": (
        "Česko přivezlo tři děti z tábora al-Hol",
        "Tři děti českých džihádistů byly převezeny z tábora al-Hol v Sýrii do Česka. Děti budou v péči "
        "psychologů a pěstounské rodiny.",
    ),
    "el": (
        "Επαναπατρίστηκαν τρία παιδιά από τον καταυλισμό Αλ Χολ",
        "Τρία παιδιά τζιχαντιστών του Ισλαμικού Κράτους επαναπατρίστηκαν από τον καταυλισμό Αλ Χολ στη "
        "Συρία. Τα παιδιά θα παρακολουθούνται από ψυχολόγους.",
    ),
}

# lang -> (title, text) of a look-alike: the same words, another subject
LOOK_ALIKE: dict[str, tuple[str, str]] = {
    "es": (
        "España devuelve a Marruecos a 50 menores no acompañados",
        "El Ministerio del Interior inició la repatriación de 50 menores marroquíes no acompañados que "
        "llegaron a Ceuta. Los niños fueron entregados en la frontera a las autoridades de Marruecos.",
    ),
    "it": (
        "Profughi siriani tornano a casa dal Libano",
        "Un convoglio di profughi siriani, tra cui molti bambini, è rientrato in Siria dal Libano "
        "nell'ambito del ritorno volontario organizzato con l'UNHCR.",
    ),
    "nl": (
        "IS-vrouw veroordeeld tot vier jaar cel",
        "De rechtbank in Rotterdam heeft een vrouw die uit Syrië is teruggehaald veroordeeld tot vier "
        "jaar cel voor deelname aan een terroristische organisatie. Haar kinderen wonen bij familie.",
    ),
    "pl": (
        "Repatrianci z Kazachstanu zamieszkali w Pułtusku",
        "Kolejne rodziny repatriantów z Kazachstanu, w tym dzieci i wnuki zesłańców, przyjechały do "
        "ośrodka adaptacyjnego. Repatriacja Polaków ze Wschodu trwa od lat.",
    ),
    "uk": (
        "В Україну повернули ще 12 депортованих дітей",
        "Ще дванадцять дітей, яких росія депортувала з окупованих територій Херсонщини, повернулися "
        "додому в межах ініціативи Bring Kids Back UA.",
    ),
    "tr": (
        "Suriyeli mülteciler ülkelerine dönüyor",
        "Kilis'teki kamplarda kalan 500 Suriyeli mülteci, aralarında çocukların da bulunduğu ailelerle "
        "birlikte gönüllü geri dönüş kapsamında Suriye'ye döndü.",
    ),
    "sh": (
        "Povratnik iz Sirije osuđen na tri godine zatvora",
        "Sud BiH osudio je povratnika sa sirijskog ratišta na tri godine zatvora zbog pridruživanja "
        "Islamskoj državi. Tužilaštvo je optužnicu podiglo prošle godine.",
    ),
    "kk": (
        "Қандастар елге оралды",
        "Өзбекстан мен Қытайдан 300 қандас отбасы балаларымен елге оралды. Этникалық қазақтарға "
        "мемлекет баспана береді.",
    ),
    "uz": (
        "Livandan Suriyaga qochqinlar qaytdi",
        "Livandagi lagerlardan 300 nafar qochoq, jumladan bolalar, Suriyaga qaytib keldi.",
    ),
    "sq": (
        "Kampi al-Hol: arrestohen të dyshuar për ISIS",
        "Forcat kurde bënë një bastisje në kampin al-Hol dhe arrestuan dhjetë të dyshuar për qeliza të "
        "ISIS-it. Operacioni policor vazhdon.",
    ),
    "de": (
        "Gebeine gefallener Soldaten heimgeholt",
        "Die sterblichen Überreste von 30 gefallenen Soldaten wurden aus dem Irak in die Heimat "
        "überführt und beigesetzt.",
    ),
}

SCRIPT_TWINS: list[tuple[str, str, str]] = [
    # (lang, title, text): the same kind of news in the other script of the language
    (
        "kk",
        "Siriiadan 25 bala elge qaitaryldy",
        "Jusan operatsiiasy aiasynda Siriiadagy lagerden 25 bala men 9 äiel elge qaitaryldy. Balalar "
        "oñaltu ortalyğynda psihologtardyñ kömegin alady.",
    ),
    (
        "uz",
        "Суриядан 40 нафар бола Ватанга қайтарилди",
        "Меҳр операцияси доирасида Суриядаги лагердан 40 нафар бола ва 12 нафар аёл Ватанга қайтарилди. "
        "Болалар реабилитация марказида психологлар ёрдамини олади.",
    ),
    (
        "sh",
        "Из кампа Ал-Хол враћено седморо деце",
        "У Србију из Сирије враћено је седморо деце и две жене из кампа Ал-Хол. Деца страних бораца биће "
        "смештена код родбине.",
    ),
]


@pytest.mark.parametrize("lang", sorted(RELEVANT))
def test_relevant_article_is_flagged_in_its_language(child_topic: Topic, lang: str) -> None:
    title, text = RELEVANT[lang]
    s = score_text(child_topic, title=title, text=text, lang=lang)
    assert s.language_covered and s.lang == lang
    assert s.flagged, (s.score, dict(s.features))
    assert any(e.terms for e in s.evidence)


@pytest.mark.parametrize("lang", sorted(LOOK_ALIKE))
def test_look_alike_is_not_flagged(child_topic: Topic, lang: str) -> None:
    title, text = LOOK_ALIKE[lang]
    s = score_text(child_topic, title=title, text=text, lang=lang)
    assert s.language_covered
    assert not s.flagged, (s.score, dict(s.features))


@pytest.mark.parametrize(("lang", "title", "text"), SCRIPT_TWINS)
def test_both_scripts_of_a_language_are_read(child_topic: Topic, lang: str, title: str, text: str) -> None:
    s = score_text(child_topic, title=title, text=text, lang=lang)
    assert s.flagged, (s.score, dict(s.features))


def test_detected_language_picks_the_terms(child_topic: Topic) -> None:
    """Without a declared language, py3langid decides (Ukrainian is not read as Russian)."""
    title, text = RELEVANT["uk"]
    s = score_text(child_topic, title=title, text=text)
    assert s.lang == "uk" and s.flagged
    title, text = RELEVANT["pt"]
    assert score_text(child_topic, title=title, text=text).lang == "pt"


def test_bosnian_croatian_and_serbian_codes_share_the_terms(child_topic: Topic) -> None:
    title, text = RELEVANT["sh"]
    for code in ("bs", "hr", "sr", "sr-Latn"):
        s = score_text(child_topic, title=title, text=text, lang=code)
        assert s.lang == "sh" and s.language_covered and s.flagged
