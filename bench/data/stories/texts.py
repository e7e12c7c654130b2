# ruff: noqa: E501  (prose: one paragraph a line, on purpose)
"""Hand-written base texts of the labelled story set (all fictional or paraphrased events, written for
newsmon). `make_set.py` derives the mechanical copies (spun, mistyped, truncated, re-wrapped) from them."""

# --- E1: a repatriation flight (the kind of story the project was born from) -------------------------
E1 = """A plane carrying 27 children of Russian citizens who had joined ISIS landed in Moscow on Sunday evening after a week-long operation organised with the authorities in Baghdad.

The youngest passenger is two years old and the oldest is fourteen. Most of the children had spent more than a year in a women's prison in the Iraqi capital, where their mothers are serving sentences for membership of the group.

Officials said 19 of the children come from Dagestan, five from Chechnya and three from the Moscow region. They were taken straight from Vnukovo airport to a clinic for medical checks and will then be handed to grandparents and other relatives.

The flight was the third of its kind this year. Relatives' groups estimate that several hundred children with Russian roots remain in camps and prisons in Iraq and Syria, and they have urged Moscow to speed up the process of identifying them through DNA tests.

An official who accompanied the group said the children were tired but calm, and that each received warm clothes and a small gift before boarding."""

E1_RU = """Самолёт с 27 детьми российских граждан, примкнувших к ИГИЛ, приземлился в Москве в воскресенье вечером после недельной операции, организованной вместе с властями Багдада.

Самому младшему пассажиру два года, самому старшему — четырнадцать. Большинство детей провели больше года в женской тюрьме иракской столицы, где их матери отбывают сроки за участие в группировке.

По словам чиновников, 19 детей родом из Дагестана, пятеро из Чечни и трое из Московской области. Из аэропорта Внуково их сразу отвезли в клинику на медицинское обследование, после чего передадут бабушкам, дедушкам и другим родственникам.

Это уже третий такой рейс в этом году. Объединения родственников считают, что в лагерях и тюрьмах Ирака и Сирии остаются несколько сотен детей с российскими корнями, и призывают Москву ускорить их опознание с помощью ДНК-тестов."""

# --- E2: a flood, as written by wire A, and the same event as written by wire B (near miss) -----------
E2 = """Hundreds of residents of Kelvedon Cross were moved to emergency shelters overnight after the River Brane burst its banks following three days of heavy rain.

Firefighters used boats to reach homes in the lower town, where water rose to more than a metre in some streets. The county council said 340 people had registered at the two rest centres set up in the leisure centre and a secondary school.

No injuries have been reported, but the main road to Harwick remains closed and rail services between the two towns were suspended until at least Thursday.

The Environment Agency has kept a severe flood warning in place for the stretch of river below the old mill, saying levels are expected to peak around midday before falling slowly. Volunteers were handing out sandbags at the market square on Tuesday morning."""

E2_WIRE_B = """Rescue crews in boats worked through the night in Kelvedon Cross as floodwater from the swollen River Brane poured into the lower part of the town, forcing around 340 people from their homes.

"We have never seen it come up this fast," said one shopkeeper, who spent the evening carrying stock upstairs. Council staff opened a leisure centre and a school as shelters and said beds and hot meals were available for anyone who needed them.

The road to Harwick was shut and trains were cancelled. Forecasters expect the river to crest on Tuesday afternoon, and a severe warning covers the area downstream of the mill. Nobody was hurt, officials said."""

# --- E3: a central bank decision, wire A and wire B (near miss) ---------------------------------------
E3 = """The central bank of Norlandia raised its main interest rate by half a percentage point to 6.25 per cent on Wednesday, its fourth increase since the spring, as it tries to bring inflation back towards its target.

Governor Ilse Varga told reporters that price growth had eased to 7.8 per cent in October but remained far too high, and that the bank was ready to act again if wages kept rising at their current pace.

Most economists surveyed before the meeting had expected a smaller move of a quarter point. The krona strengthened against the euro after the announcement, while shares in the country's largest banks rose.

Business groups criticised the decision, warning that higher borrowing costs would hit small firms already struggling with energy bills. The next rate meeting is scheduled for the middle of December."""

E3_WIRE_B = """Norlandia's central bank surprised markets on Wednesday with a 50 basis point rise that takes its benchmark rate to 6.25%, the highest level in fifteen years.

Analysts had mostly forecast a 25 point increase. Speaking after the decision, Governor Ilse Varga said inflation, which slowed to 7.8% last month, was "still nowhere near where it should be" and pointed to strong wage settlements as a worry.

The currency jumped on the news and bank stocks gained. Employers' organisations said the move would squeeze smaller companies. Policymakers meet again in December."""

# --- E4: a data breach ----------------------------------------------------------------------------------
E4 = """Personal details of about 1.2 million customers of the online retailer Quillmart were exposed after attackers broke into a server used by one of its delivery partners, the company said on Friday.

Names, email addresses, phone numbers and delivery addresses were taken, Quillmart said, but payment card data was stored elsewhere and was not affected. The breach was discovered on 3 March, more than two weeks after it began.

The company has informed the data protection regulator and is writing to every customer whose details were involved. It advised customers to be wary of emails and text messages that appear to come from Quillmart and ask for passwords or bank details.

Chief executive Marten Oduya apologised and said the delivery partner's access had been suspended while an outside firm investigates how the intruders got in."""

# --- E5: a press release ------------------------------------------------------------------------------------
E5 = """The University of Westbridge today opened the Halvorsen Centre for Coastal Resilience, a new research institute that will study how rising seas and stronger storms affect towns along the North Sea coast.

The centre, funded by a 14 million pound gift from the Halvorsen Foundation, will bring together engineers, ecologists and social scientists in a renovated harbour warehouse. It will employ 45 researchers by 2027 and offer ten doctoral scholarships each year.

Professor Amara Lindqvist, the centre's first director, said: "Coastal communities need answers that combine sea walls with salt marshes and with the choices people make about where to live. That is exactly the kind of work this building was designed for."

The opening was attended by the mayor of Westbridge and representatives of six coastal councils that will take part in the centre's first projects."""

# --- E6: an op-ed --------------------------------------------------------------------------------------------
E6 = """Every winter the same photographs come out of the al-Hol camp: children in thin jackets standing in mud, tents sagging under the rain. And every winter governments in Europe explain why bringing their own citizens home is too complicated.

It is not too complicated. Several countries have shown that with political will, consular staff and cooperation from the Kurdish-led authorities, families can be screened, flown back and supported. The children did not choose to be there. Most of them were born in the camps or brought as toddlers.

Leaving them behind is not a security policy; it is the absence of one. A child who grows up behind wire with no school and no future is far more likely to become a danger than one who is brought back, assessed and given a chance.

Ministers should stop waiting for a perfect solution that will never arrive and start with the youngest."""

# --- E7: a sports result, and the outlet's template reused for another match (near miss) -------------------
E7_A = """Harlow Rovers beat Dunmore City 3-1 at Riverside Park on Saturday to move up to fourth place in the league.

Jonas Akerby opened the scoring after 12 minutes, heading in a corner from Tariq Bello. City equalised through Sean Pryce just before half-time, but Rovers restored their lead when Bello curled a free kick into the top corner on 58 minutes. Substitute Leo Marsh sealed the win in stoppage time.

Rovers manager Colin Ashe said: "We were patient and we took our chances. The lads deserved that." Rovers travel to Eastfield next weekend, while City host Port Allen."""

E7_B = """Dunmore City beat Port Allen 2-0 at Castle Road on Saturday to move up to sixth place in the league.

Marco Feeney opened the scoring after 27 minutes, heading in a corner from Ruben Osei. Allen pushed for an equaliser before half-time, but City doubled their lead when Osei curled a free kick into the top corner on 71 minutes. Goalkeeper Dan Whitlow made a late save to keep the clean sheet.

City manager Grace Hollins said: "We were patient and we took our chances. The players deserved that." City travel to Millbrook next weekend, while Allen host Harlow Rovers."""

# --- E8: a court sentencing, and the same court reporter's template for another case (near miss) -----------
E8_A = """A 34-year-old man from Stanmoor has been jailed for six years for a series of burglaries across the county, Crown Court heard on Monday.

Daniel Rourke admitted breaking into 11 homes between January and April, stealing jewellery, laptops and cash worth about 40,000 pounds. He was caught after police matched fingerprints found on a window frame in Ashby.

Judge Helen Marsh told him: "You caused real fear to people who should feel safe in their own homes." Detective Constable Ray Iqbal said officers were pleased with the sentence and thanked the victims for their patience."""

E8_B = """A 27-year-old woman from Colbrook has been jailed for four years for a series of frauds against elderly people, Crown Court heard on Thursday.

Kerry Lanham admitted cheating 8 pensioners between March and August, taking bank cards, savings and cash worth about 65,000 pounds. She was caught after police traced a phone used to call the victims in Denford.

Judge Helen Marsh told her: "You caused real distress to people who trusted a stranger's voice." Detective Sergeant Ana Costa said officers were pleased with the sentence and thanked the victims' families for their help."""

# --- E9 (RU): a new metro station ----------------------------------------------------------------------------
E9 = """В Новосибирске в субботу открылась станция метро «Спортивная», строительство которой продолжалось почти девять лет. Первые пассажиры вошли на платформу в шесть утра.

Станция расположена на Ленинской линии между «Площадью Маркса» и «Студенческой». По оценке мэрии, ею будут пользоваться около 22 тысяч человек в день, в основном жители новых микрорайонов на левом берегу Оби.

Стоимость работ составила 5,8 миллиарда рублей, большую часть средств выделил федеральный бюджет. Мэр Анатолий Локоть поблагодарил строителей и пообещал, что следующей станцией займутся уже в будущем году.

В первые выходные проезд через новую станцию будет бесплатным, а у входа дежурят волонтёры, которые помогают пассажирам разобраться с указателями."""

E9_WIRE_B = """Новосибирский метрополитен в субботу принял первых пассажиров на станции «Спортивная» — объект достраивали с перерывами с 2014 года.

Новая платформа появилась на левобережном участке Ленинской линии. Городские власти рассчитывают, что за сутки через неё будут проходить примерно 22 тысячи человек. На открытии выступил мэр Анатолий Локоть, который назвал запуск станции «подарком левому берегу».

Строительство обошлось почти в шесть миллиардов рублей. Какой будет следующая станция, в мэрии пока не уточнили."""

# --- E10 (RU): a court case, and the same agency's template for a different case (near miss) ---------------
E10_A = """Октябрьский районный суд Самары приговорил 45-летнего жителя города к пяти годам колонии за мошенничество с квартирами пенсионеров, сообщила пресс-служба областной прокуратуры.

По данным следствия, с 2019 по 2021 год мужчина убедил семь пожилых людей оформить на него дарственные, пообещав ухаживать за ними. Ущерб составил более 18 миллионов рублей.

Свою вину осуждённый не признал. Приговор в законную силу не вступил и может быть обжалован в течение пятнадцати суток."""

E10_B = """Ленинский районный суд Саратова приговорил 38-летнюю жительницу города к трём годам колонии за мошенничество с кредитами студентов, сообщила пресс-служба областной прокуратуры.

По данным следствия, с 2020 по 2022 год женщина убедила двенадцать молодых людей оформить на себя займы, пообещав закрыть их за свой счёт. Ущерб составил более 4 миллионов рублей.

Свою вину осуждённая признала полностью. Приговор в законную силу не вступил и может быть обжалован в течение пятнадцати суток."""

# --- E11: a yearly recurring story (near miss across years) --------------------------------------------------
E11_2023 = """Air in Calderford was cleaner last year than at any time since measurements began, according to the city's annual air quality report published on Tuesday.

Average levels of nitrogen dioxide fell to 21 micrograms per cubic metre, down from 24 the year before, and the legal limit was exceeded at only 3 of the 58 monitoring points, all of them on the inner ring road.

The council credited the low emission zone introduced in 2021 and the switch of the bus fleet to electric vehicles. Campaigners welcomed the figures but said fine particles from wood burning remained a problem in winter."""

E11_2024 = """Air in Calderford was cleaner last year than at any time since measurements began, according to the city's annual air quality report published on Wednesday.

Average levels of nitrogen dioxide fell to 18 micrograms per cubic metre, down from 21 the year before, and the legal limit was exceeded at only 1 of the 61 monitoring points, on the approach to the central station.

The council credited the extension of the low emission zone in 2023 and new cycle lanes on four main roads. Campaigners welcomed the figures but said fine particles from wood burning remained a problem in winter."""

# --- E12: two different repatriation events sharing background paragraphs (near miss) -------------------------
_BACKGROUND = """Thousands of women and children linked to the group have been held in camps in north-eastern Syria since its last stronghold fell in 2019. The largest, al-Hol, still houses tens of thousands of people, most of them Syrians and Iraqis, and aid agencies have repeatedly described conditions there as dire.

The Kurdish-led administration that runs the camps has long asked foreign governments to take back their nationals, saying it lacks the means to hold them indefinitely."""

E12_A = (
    """Kazakhstan brought home 19 women and 41 children from the Roj camp in north-eastern Syria on Thursday, the foreign ministry in Astana said, in the country's first repatriation flight since last summer.

The group landed in Aktau and will spend several weeks in a rehabilitation centre where psychologists, doctors and religious scholars work with returnees. Two of the women face criminal investigation.

"""
    + _BACKGROUND
)

E12_B = (
    """Germany repatriated four women and nine children from camps in north-eastern Syria on Tuesday, the foreign office in Berlin said. The women were arrested on arrival at Frankfurt airport on suspension of membership of a terrorist organisation.

The children, aged between two and eleven, have been placed with relatives or youth welfare services. Officials said the operation had been prepared for months with the help of the United States.

"""
    + _BACKGROUND
)

# --- E13: partial quote reuse (near miss) ---------------------------------------------------------------------
E13_A = """The head of the International Committee of the Red Cross called on Monday for an end to the indefinite detention of children in north-east Syria, speaking at a conference in Geneva.

"No child should spend their childhood behind a fence for the crimes, real or alleged, of their parents. Every month of delay makes the damage harder to repair, and every government that can act and does not shares responsibility for what happens next," she told delegates.

She said the committee's teams had recorded cases of children separated from their mothers at the age of twelve and moved to detention centres for adults, and called on states to allow independent monitoring of these places."""

E13_B = """Belgium's justice minister said on Wednesday that the government would review its case-by-case approach to citizens held in Syria, after a parliamentary committee heard testimony from returned families.

Opposition members quoted the Red Cross, whose president said this week that "no child should spend their childhood behind a fence for the crimes, real or alleged, of their parents."

The minister said Belgium had already brought back more than 30 children and that each new case required security checks that could take months. A vote on a motion calling for faster returns is expected next month."""

# --- E14: a second EN story with many kinds of copy: a storm warning -------------------------------------------
E14 = """Forecasters issued a red wind warning for the western isles on Thursday as Storm Edda approached, with gusts of up to 100 miles per hour expected overnight.

Ferry operator Caledon Lines cancelled all sailings until Saturday, and schools in the islands will stay closed on Friday. Power companies said engineers had been moved to the area in advance to repair damaged lines as quickly as possible.

Police urged people not to travel unless absolutely necessary and to stay away from exposed coastlines, where waves of more than ten metres could sweep people off piers and promenades.

The storm is expected to weaken as it moves east during Friday afternoon, although amber warnings for rain remain in place for much of the mainland until Sunday."""

# --- E15 (RU): a wildfire, with wire copies ------------------------------------------------------------------------
E15 = """В Забайкальском крае площадь лесных пожаров за сутки выросла почти вдвое и превысила 12 тысяч гектаров, сообщили в региональном управлении лесного хозяйства.

Сильнее всего горит в Чернышевском и Шилкинском районах, где огонь подошёл к линии электропередачи. Жителям двух сёл рекомендовано быть готовыми к эвакуации, хотя прямой угрозы домам пока нет.

С огнём борются более 600 человек, к тушению привлечены самолёт Бе-200 и два вертолёта. Губернатор Александр Осипов продлил в крае режим чрезвычайной ситуации и запретил посещение лесов до конца месяца."""

# === Issue 14: other languages' reports (links), currency-swapped editions, wire updates ===================
# E3 in German: a translation of the wire story.
E3_DE = """Die Zentralbank von Norlandia hat ihren Leitzins am Mittwoch um einen halben Prozentpunkt auf 6,25 Prozent angehoben – die vierte Erhöhung seit dem Frühjahr. Damit will sie die Inflation wieder in Richtung ihres Ziels drücken.

Notenbankchefin Ilse Varga sagte vor Journalisten, der Preisanstieg habe sich im Oktober zwar auf 7,8 Prozent abgeschwächt, sei aber noch immer viel zu hoch. Die Bank sei bereit, erneut zu handeln, falls die Löhne weiter so stark stiegen.

Die meisten vor der Sitzung befragten Ökonomen hatten mit einem kleineren Schritt um einen Viertelpunkt gerechnet. Die Krone legte nach der Ankündigung gegenüber dem Euro zu."""

# E3 in French: another outlet's own report of the same decision.
E3_FR = """Nouvelle hausse des taux en Norlandia : la banque centrale a porté mercredi son taux directeur à 6,25 %, soit un relèvement de 50 points de base, le quatrième depuis le printemps.

« L'inflation reste beaucoup trop élevée », a estimé la gouverneure Ilse Varga, alors que la hausse des prix a ralenti à 7,8 % sur un an en octobre. Les marchés tablaient plutôt sur un geste de 25 points.

Les organisations patronales redoutent l'effet sur les petites entreprises. Prochaine réunion : mi-décembre."""

# German report of the *previous* decision: same bank, same governor, other figures, six weeks earlier.
E3_DE_EARLIER = """Die Zentralbank von Norlandia hat den Leitzins am Donnerstag um einen Viertelpunkt auf 5,75 Prozent erhöht, zum dritten Mal in diesem Jahr.

Notenbankchefin Ilse Varga verwies auf die Inflation, die im August bei 8,4 Prozent lag. Weitere Schritte schloss sie nicht aus. Ökonomen hatten die Entscheidung weitgehend erwartet; die Krone reagierte kaum."""

# E12_A in Russian: a translation.
E12_A_RU = """Казахстан в четверг вернул на родину 19 женщин и 41 ребёнка из лагеря Рож на северо-востоке Сирии, сообщил МИД в Астане. Это первый такой рейс с прошлого лета.

Группа прилетела в Актау и несколько недель проведёт в реабилитационном центре, где с вернувшимися работают психологи, врачи и богословы. В отношении двух женщин начато уголовное расследование.

С 2019 года, когда пал последний оплот группировки, в лагерях на северо-востоке Сирии удерживаются тысячи женщин и детей."""

# E12_B's event told by a Russian outlet: links to the German repatriation, not to the Kazakh one.
E12_B_RU = """Германия во вторник вернула из лагерей на северо-востоке Сирии четырёх женщин и девятерых детей, сообщило министерство иностранных дел в Берлине. Женщин задержали сразу по прилёте во Франкфурт.

Детей в возрасте от 2 до 11 лет передали родственникам или службам опеки. Операцию, по данным ведомства, готовили несколько месяцев при содействии США. Всего после 2019 года Германия вернула из Сирии 13 женщин и детей в ходе этой операции."""

# E14 in Spanish: another outlet's report of the storm.
E14_ES = """Alerta roja por viento en las islas occidentales: la tormenta Edda llegará esta noche con rachas de hasta 100 millas por hora (unos 160 km/h), según los meteorólogos.

La naviera Caledon Lines ha cancelado todas las salidas hasta el sábado y los colegios de las islas cerrarán el viernes. La policía pide no viajar y alejarse de la costa, donde se esperan olas de más de 10 metros.

Edda se debilitará el viernes por la tarde al desplazarse hacia el este."""

# A French report of a *later* storm in the same islands: same places and operator, other figures.
E14_FR_LATER = """Nouvelle tempête sur les îles de l'Ouest : Fenna devrait apporter lundi des rafales de 80 milles à l'heure, a annoncé le service météorologique, qui a émis une alerte orange.

La compagnie Caledon Lines a supprimé les traversées de lundi matin. Les écoles resteront ouvertes. Les vagues pourraient atteindre 7 mètres sur les côtes exposées, dix jours après le passage de la tempête Edda."""

# E4 in German: a translation of the breach story.
E4_DE = """Die persönlichen Daten von rund 1,2 Millionen Kunden des Onlinehändlers Quillmart sind nach einem Angriff auf einen Server eines Lieferpartners offengelegt worden, wie das Unternehmen am Freitag mitteilte.

Gestohlen wurden Namen, E-Mail-Adressen, Telefonnummern und Lieferadressen. Zahlungsdaten seien an anderer Stelle gespeichert und nicht betroffen. Der Angriff wurde am 3. März entdeckt, mehr als zwei Wochen nach seinem Beginn.

Konzernchef Marten Oduya entschuldigte sich; der Zugang des Lieferpartners wurde gesperrt."""

# E16 (DE): an aid pledge from a German wire, and the Swiss edition with the amounts in francs.
E16_DE = """Die Bundesregierung stellt für die Rückkehr von Kindern aus den Lagern in Nordostsyrien weitere 12 Millionen Euro bereit. Das teilte das Auswärtige Amt am Montag in Berlin mit.

Mit dem Geld sollen das Kinderhilfswerk Unicef und zwei Partnerorganisationen 350 Kinder betreuen, bevor sie ausreisen, und ihre Familien nach der Ankunft unterstützen. Bislang wurden nach Angaben des Ministeriums 97 Kinder aus den Lagern Al-Hol und Roj nach Deutschland gebracht.

Hilfsorganisationen begrüßten die Zusage, forderten aber schnellere Verfahren. Rund 2,5 Millionen Euro sind für psychologische Betreuung vorgesehen."""

E16_CH = """Die deutsche Bundesregierung stellt für die Rückkehr von Kindern aus den Lagern in Nordostsyrien weitere 11,6 Millionen Franken bereit. Das teilte das Auswärtige Amt am Montag in Berlin mit.

Mit dem Geld sollen das Kinderhilfswerk Unicef und zwei Partnerorganisationen 350 Kinder betreuen, bevor sie ausreisen, und ihre Familien nach der Ankunft unterstützen. Bislang wurden nach Angaben des Ministeriums 97 Kinder aus den Lagern Al-Hol und Roj nach Deutschland gebracht.

Hilfsorganisationen begrüssten die Zusage, forderten aber schnellere Verfahren. Rund 2,4 Millionen Franken sind für psychologische Betreuung vorgesehen."""

# E17: a wire story and its update three hours later (toll revised, a new lead, the rest kept).
E17 = """At least 12 people were killed when a bus carrying seasonal workers left the road and plunged into a ravine near the town of Ostrava Dolna early on Tuesday, regional officials said.

The bus, travelling from the border crossing at Vel to the fruit farms of the southern valley, was carrying 41 passengers. Rescue teams worked for hours to reach the vehicle, which came to rest on its roof about 30 metres below the road.

Twenty-two injured passengers were taken to hospitals in Ostrava Dolna and Medvin, four of them in a critical condition. The cause of the crash is not yet known; police said the road was wet after overnight rain.

The regional governor, Petr Halas, declared Wednesday a day of mourning."""

E17_UPDATE = """The death toll from Tuesday's bus crash near Ostrava Dolna has risen to 15, officials said in the afternoon, after three of the injured died in hospital.

At least 15 people were killed when a bus carrying seasonal workers left the road and plunged into a ravine near the town of Ostrava Dolna early on Tuesday, regional officials said.

The bus, travelling from the border crossing at Vel to the fruit farms of the southern valley, was carrying 41 passengers. Rescue teams worked for hours to reach the vehicle, which came to rest on its roof about 30 metres below the road.

Nineteen injured passengers are being treated in hospitals in Ostrava Dolna and Medvin. The cause of the crash is not yet known; police said the road was wet after overnight rain.

The regional governor, Petr Halas, declared Wednesday a day of mourning."""

# E18: the same wire's daily river report on two days: one template, other figures.
E18_DAY1 = """The River Alder at Millbridge reached 4.2 metres on Monday evening, 1.1 metres above its normal level, and is expected to rise further overnight, the environment agency said.

Flood barriers have been installed along Quay Street and 35 properties in the lower town have been advised to prepare for evacuation. The agency said it would issue its next update at 6am."""

E18_DAY2 = """The River Alder at Millbridge reached 4.8 metres on Tuesday evening, 1.7 metres above its normal level, and is expected to rise further overnight, the environment agency said.

Flood barriers have been installed along Quay Street and 120 properties in the lower town have been advised to prepare for evacuation. The agency said it would issue its next update at 6am."""
