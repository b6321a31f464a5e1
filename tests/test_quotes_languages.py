"""Quotes and their speakers in German, French, Spanish, Italian, Portuguese and Turkish:
each language's quote marks and speech verbs, both orders, inverted subjects, titles before
names, and what is no speech or names no one (a book's title, a scare quote, a role without a
name, a ministry behind an article)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mediadigest.analyse import analyse
from mediadigest.analyse.quotes import find_quotes, resolve_speakers
from mediadigest.model import Document, Entity, Story
from mediadigest.profile import load_profile
from mediadigest.write.compose import compose_story


def speakers(text: str, language: str) -> list[str | None]:
    return [q.speaker for q in find_quotes(text, language)]


def tokayev(text: str, spelling: str) -> Entity:
    """The person the profile's gazetteer finds under one of Tokayev's spellings."""
    at = text.index(spelling)
    return Entity(
        "Kassym-Jomart Tokayev", "person", [(at, at + len(spelling))], None, [spelling], "gazetteer"
    )


def resolved(text: str, language: str, spelling: str) -> list[str | None]:
    quotes = find_quotes(text, language)
    resolve_speakers(text, quotes, [tokayev(text, spelling)], language=language)
    return [q.speaker for q in quotes]


# -- German -----------------------------------------------------------------------------------

GERMAN = (
    "Präsident Kassym-Schomart Tokajew hat am Dienstag in Astana eine Delegation der EU "
    "empfangen. „Wir werden die Exporte über den Mittleren Korridor bis 2030 verdoppeln“, "
    "sagte Tokajew nach dem Treffen. „Europa braucht verlässliche Partner, und Kasachstan ist "
    "einer“, fügte er hinzu.\n"
    "Energieminister Almas Satkalijew erklärte vor Journalisten: »Die Pipeline wird bis Ende "
    "des Jahres fertig sein.« »Danach steigen die Lieferungen deutlich an.«"
)


def test_german_quote_then_verb_then_titled_name():
    text = "„Wir werden die Zusammenarbeit mit Europa ausbauen“, sagte Präsident Kassym-Schomart "
    text += "Tokajew am Dienstag in Astana."
    (q,) = find_quotes(text, "de")
    assert q.text == "Wir werden die Zusammenarbeit mit Europa ausbauen"
    assert (q.speaker, q.cue) == ("Kassym-Schomart Tokajew", "Kassym-Schomart Tokajew")


def test_german_inverted_surname_is_the_person_the_text_titles():
    assert speakers(GERMAN, "de")[0] == "Tokajew"


def test_german_er_after_a_quote_is_the_speaker_of_the_quote_before():
    assert resolved(GERMAN, "de", "Tokajew")[:2] == ["Kassym-Jomart Tokayev"] * 2


def test_german_reversed_guillemets_with_the_speaker_before_the_colon():
    # The second quote is a sentence of its own: the minister's too.
    assert speakers(GERMAN, "de")[2:] == ["Almas Satkalijew", "Almas Satkalijew"]


def test_german_verb_second_after_a_time_and_a_role_with_an_adjective():
    text = (
        "Am Dienstag sagte der kasachische Außenminister Murat Nurtleu vor Journalisten: „Wir "
        "sind offen für alle Partner in der Region.“"
    )
    assert speakers(text, "de") == ["Murat Nurtleu"]


def test_german_so_after_the_quote_names_the_speaker():
    text = "„Wir sind offen für alle Partner in der Region“, so Außenminister Murat Nurtleu."
    assert speakers(text, "de") == ["Murat Nurtleu"]


def test_german_book_title_and_scare_quote_are_no_speech():
    text = (
        "Das Buch „Der lange Weg nach Astana und zurück“ erschien 2020. Kritiker sprechen von "
        "einer „neuen Seidenstraße für alle Beteiligten“."
    )
    assert [(q.speaker, q.cue) for q in find_quotes(text, "de")] == [(None, None)] * 2


def test_german_ministry_after_an_article_is_no_speaker():
    text = "„Wir prüfen die Vorwürfe gegen die Firma sehr genau“, teilte das Außenministerium mit."
    assert speakers(text, "de") == [None]


def test_german_capitalised_object_after_the_name_is_not_part_of_it():
    text = "„Wir sind bereit für neue Gespräche“, sagte Tokajew Journalisten in Astana."
    (q,) = find_quotes(text, "de")
    assert q.cue == "Tokajew"


def test_german_name_in_another_clause_after_a_role_is_not_the_speaker():
    text = "Gestern sagte ein Sprecher, Tokajew werde „alles tun, um die Lage zu beruhigen“."
    assert speakers(text, "de") == [None]


def test_german_lone_surname_without_title_is_only_a_cue():
    """German writes every noun with a capital: a lone word is a name only where the text
    titles it or the entities know it."""
    text = "Tokajew sagte: „Kasachstan ist bereit, die Region beim Wachstum zu unterstützen.“"
    (q,) = find_quotes(text, "de")
    assert (q.speaker, q.cue) == (None, "Tokajew")
    assert resolved(text, "de", "Tokajew") == ["Kassym-Jomart Tokayev"]


# -- French -----------------------------------------------------------------------------------

FRENCH = (
    "Le président kazakh Kassym-Jomart Tokaïev a reçu mardi à Astana une délégation "
    "européenne. « Nous allons doubler nos exportations par le corridor médian d'ici 2030 », a "
    "déclaré M. Tokaïev après la rencontre. « L'Europe a besoin de partenaires fiables », "
    "a-t-il ajouté.\n"
    "Selon le ministre de l'Énergie, Almas Satkaliev, « le pipeline sera prêt à la fin de "
    "l'année ».\n"
    "Le roman « Le Grand Chemin vers Astana » est paru en 2020.\n"
    "« Nous examinons ces accusations avec attention », a indiqué le ministère des Affaires "
    "étrangères."
)


def test_french_guillemets_with_spaces_and_an_honorific_after_the_verb():
    q = find_quotes(FRENCH, "fr")[0]
    assert q.text == "Nous allons doubler nos exportations par le corridor médian d'ici 2030"
    assert q.speaker == "Tokaïev"


def test_french_a_t_il_is_the_speaker_before():
    q = find_quotes(FRENCH, "fr")[1]
    assert (q.speaker, q.cue) == (None, "il")
    assert resolved(FRENCH, "fr", "Tokaïev")[:2] == ["Kassym-Jomart Tokayev"] * 2


def test_french_selon_a_role_and_its_complement_then_the_name():
    assert speakers(FRENCH, "fr")[2] == "Almas Satkaliev"


def test_french_novel_title_and_ministry_are_no_speakers():
    assert speakers(FRENCH, "fr")[3:] == [None, None]


def test_french_speaker_before_the_colon_and_after_the_quote_with_a_role():
    text = (
        "Le président kazakh Kassym-Jomart Tokaïev a déclaré : « Nous voulons la paix dans "
        "toute la région. » « Nous voulons la paix dans toute la région », estime le ministre "
        "des Affaires étrangères, Murat Nourtleou."
    )
    assert speakers(text, "fr") == ["Kassym-Jomart Tokaïev", "Murat Nourtleou"]


def test_french_role_without_a_name_is_no_one():
    text = "« Nous sommes prêts à de nouvelles discussions », a déclaré le président."
    assert speakers(text, "fr") == [None]


# -- Spanish ----------------------------------------------------------------------------------

SPANISH = (
    "El presidente de Kazajistán, Kasim-Yomart Tokáyev, recibió el martes en Astaná a una "
    "delegación europea. «Vamos a duplicar las exportaciones por el corredor medio hasta 2030», "
    "dijo Tokáyev tras la reunión. «Europa necesita socios fiables», añadió.\n"
    "Según el ministro de Energía, Almas Satkáliev, «el oleoducto estará listo a finales de "
    "año».\n"
    "«Estamos revisando las acusaciones con mucho cuidado», dijo el portavoz del Gobierno."
)


def test_spanish_inverted_surname_given_in_full_before():
    assert speakers(SPANISH, "es")[0] == "Tokáyev"


def test_spanish_verb_without_subject_goes_on_with_the_speaker_before():
    assert speakers(SPANISH, "es")[1] == "Tokáyev"


def test_spanish_segun_a_role_then_the_name():
    assert speakers(SPANISH, "es")[2] == "Almas Satkáliev"


def test_spanish_spokesman_without_name_is_no_one_not_the_speaker_before():
    assert speakers(SPANISH, "es")[3] is None


def test_spanish_role_then_name_in_commas_before_the_verb():
    text = (
        "El presidente de Kazajistán, Kasim-Yomart Tokáyev, afirmó: «Queremos paz en toda la "
        "región.»"
    )
    assert speakers(text, "es") == ["Kasim-Yomart Tokáyev"]


def test_spanish_name_after_a_preposition_was_spoken_to():
    text = "«Vamos a duplicar las exportaciones», dijo a Tokáyev el ministro."
    assert [(q.speaker, q.cue) for q in find_quotes(text, "es")] == [(None, None)]


# -- Italian ----------------------------------------------------------------------------------

ITALIAN = (
    "Il presidente kazako Kassym-Jomart Tokayev ha ricevuto martedì ad Astana una delegazione "
    "europea. «Raddoppieremo le esportazioni attraverso il corridoio di mezzo entro il 2030», ha "
    "detto Tokayev dopo l'incontro. «L'Europa ha bisogno di partner affidabili», ha aggiunto.\n"
    "Secondo il ministro dell'Energia Almas Satkaliyev, «l'oleodotto sarà pronto entro la fine "
    "dell'anno».\n"
    "Il ministro degli Esteri Murat Nurtleu ha dichiarato: «Siamo aperti a tutti i partner "
    "della regione.»"
)


def test_italian_ha_detto_and_ha_aggiunto():
    assert speakers(ITALIAN, "it")[:2] == ["Tokayev", "Tokayev"]


def test_italian_secondo_and_an_elided_complement_of_the_role():
    assert speakers(ITALIAN, "it")[2] == "Almas Satkaliyev"


def test_italian_titled_speaker_before_the_colon():
    assert speakers(ITALIAN, "it")[3] == "Murat Nurtleu"


# -- Portuguese -------------------------------------------------------------------------------


def test_portuguese_disse_and_acrescentou():
    text = (
        "O presidente do Cazaquistão, Kassym-Jomart Tokayev, recebeu na terça-feira uma "
        "delegação europeia. “Vamos duplicar as exportações pelo corredor do meio até 2030”, "
        "disse Tokayev após o encontro. “A Europa precisa de parceiros fiáveis”, acrescentou."
    )
    assert speakers(text, "pt") == ["Tokayev", "Tokayev"]


# -- Turkish ----------------------------------------------------------------------------------

TURKISH = (
    "Kazakistan Cumhurbaşkanı Kasım Cömert Tokayev, Salı günü Astana'da Avrupa heyetini kabul "
    'etti. Tokayev, "Orta Koridor üzerinden ihracatı 2030\'a kadar iki katına çıkaracağız" '
    'dedi. "Avrupa\'nın güvenilir ortaklara ihtiyacı var" diye konuştu.\n'
    'Enerji Bakanı Almas Satkaliyev ise şunları söyledi: "Boru hattı yıl sonuna kadar hazır '
    'olacak."\n'
    'Kazakistan Dışişleri Bakanlığı, "İddiaları çok dikkatli bir şekilde inceliyoruz" '
    "ifadelerini kullandı."
)


def test_turkish_subject_first_verb_last():
    assert speakers(TURKISH, "tr")[:2] == ["Tokayev", "Tokayev"]


def test_turkish_title_and_name_before_sunlari_soyledi():
    assert speakers(TURKISH, "tr")[2] == "Almas Satkaliyev"


def test_turkish_ministry_named_without_article_speaks_as_in_english():
    """As '"…," National Transportation Safety Board said': an organisation named in full
    is its own speaker."""
    assert speakers(TURKISH, "tr")[3] == "Kazakistan Dışişleri Bakanlığı"


def test_turkish_verb_after_the_quote_with_the_titled_speaker():
    text = '"Bölgedeki işbirliğini güçlendirmeye hazırız" dedi Cumhurbaşkanı Tokayev.'
    assert speakers(text, "tr") == ["Tokayev"]


def test_turkish_name_with_a_case_ending_is_no_subject():
    text = 'Tokayev\'in açıklamasında "Bölgedeki işbirliğini güçlendirmeye hazırız" dedi.'
    assert speakers(text, "tr") == [None]


# -- roles without a name ----------------------------------------------------------------------


def president(text: str, spelling: str) -> Entity:
    entity = tokayev(text, spelling)
    entity.role = "President of Kazakhstan (since 2019)"
    return entity


@pytest.mark.parametrize(
    ("language", "text", "spelling"),
    [
        ("es", "Tokáyev habló en Astaná. «Queremos paz en toda la región», dijo el presidente.",
         "Tokáyev"),
        ("de", "Tokajew sprach in Astana. Der Präsident sagte: „Wir wollen Frieden in der "
         "ganzen Region.“", "Tokajew"),
        ("it", "Tokayev ha parlato ad Astana. «Vogliamo la pace in tutta la regione», ha detto "
         "il presidente.", "Tokayev"),
    ],
)  # fmt: skip
def test_a_title_alone_is_the_person_named_before_with_that_role(language, text, spelling):
    (q,) = find_quotes(text, language)
    assert (q.speaker, q.cue) == (None, "the president")
    resolve_speakers(text, [q], [president(text, spelling)], language=language)
    assert q.speaker == "Kassym-Jomart Tokayev"


def test_a_title_alone_is_no_one_where_no_person_has_that_role():
    """In English "the president said" falls back on the last person named; here the
    entities' roles are English words for another language's title: no guess."""
    text = (
        "Poutine était à Astana. « Nous voulons la paix dans la région », a déclaré le président."
    )
    (q,) = find_quotes(text, "fr")
    at = text.index("Poutine")
    putin = Entity("Vladimir Putin", "person", [(at, at + 7)], None, ["Poutine"], "gazetteer")
    resolve_speakers(text, [q], [putin], language="fr")
    assert q.speaker is None


def test_a_title_with_another_word_is_no_role_to_look_up():
    text = "Tokáyev habló en Astaná. «Queremos paz en toda la región», dijo el presidente ruso."
    (q,) = find_quotes(text, "es")
    resolve_speakers(text, [q], [president(text, "Tokáyev")], language="es")
    assert (q.speaker, q.cue) == (None, None)


# -- every language ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Kritiker nennen das Projekt eine „neue Seidenstraße für ganz Eurasien“."),
        ("fr", "Les critiques parlent d'une « nouvelle route de la soie pour tous »."),
        ("es", "Los críticos hablan de una «nueva ruta de la seda para todos»."),
        ("it", "I critici parlano di una «nuova via della seta per tutti»."),
        ("tr", 'Eleştirmenler projeyi "herkes için yeni bir İpek Yolu" olarak görüyor.'),
    ],
)
def test_scare_quote_in_a_sentence_of_no_speech_has_no_speaker(language, text):
    assert [(q.speaker, q.cue) for q in find_quotes(text, language)] == [(None, None)]


def test_a_language_with_a_region_reads_as_the_language():
    text = "« Nous voulons la paix dans toute la région », a déclaré M. Tokaïev."
    assert speakers(text, "fr-CH") == ["Tokaïev"]


def test_without_a_language_a_german_quote_has_no_speaker_as_before():
    assert speakers(GERMAN, None)[0] is None


# -- through the pipeline ---------------------------------------------------------------------


def test_a_german_article_gives_the_digest_its_quote_with_the_speaker():
    profile = load_profile("kazakhstan")
    text = (
        "Kasachstan will mehr Öl über das Kaspische Meer liefern\n"
        "Kasachstan will mehr Öl über das Kaspische Meer nach Europa liefern. Präsident "
        "Kassym-Schomart Tokajew empfing am Dienstag in Astana eine Delegation der Europäischen "
        "Union.\n"
        "„Wir werden die Exporte über den Mittleren Korridor bis 2030 verdoppeln“, sagte Tokajew "
        "nach dem Treffen.\n"
        "Die Pipeline Baku–Tiflis–Ceyhan soll dafür ausgebaut werden."
    )
    doc = Document(
        url="https://zeitung.example.de/kasachstan-oel",
        body=text.encode("utf-8"),
        fetched_at=datetime(2025, 12, 21, 9, 0, tzinfo=UTC),
        content_type="text/plain; charset=utf-8",
        hints={"published": "2025-12-20", "outlet": "Beispiel Zeitung", "lang": "de"},
    )
    (art,) = analyse(doc, profile)
    assert art.language == "de"
    assert [q.speaker for q in art.quotes] == ["Kassym-Jomart Tokayev"]
    art.id = 1
    item = compose_story(Story(1, art.title, [art]), profile)
    assert item.quote is not None and item.language == "de"
    assert item.quote.text.startswith("Wir werden die Exporte")
    assert item.quote.speaker == "Kassym-Jomart Tokayev"


def test_a_sentence_opening_with_an_umlaut_ends_the_one_before():
    """ "Özdemir widersprach" is a sentence of its own: the quote after it is not the one
    before's speaker's (read as one sentence, it was Tokajew's)."""
    text = (
        "„Wir bauen die Pipeline bis 2030“, sagte Präsident Tokajew. Özdemir widersprach am "
        "Abend. „Das ist viel zu teuer für alle Beteiligten.“"
    )
    assert speakers(text, "de") == ["Tokajew", None]


def test_navigation_arrows_are_no_quote_marks():
    """German's ›…‹ and Swiss ‹…› open before a word; a page's "‹ back … ›" opens none."""
    text = "‹ Zurück zur Übersicht aller Nachrichten › Kasachstan baut eine Pipeline nach Europa"
    assert find_quotes(text, "de") == []
