"""Reading German, French, Spanish, Russian, Ukrainian and Polish news: datelines, dates, boilerplate, quotes.

Every snippet here was written for these tests.
"""

from __future__ import annotations

import pytest

from storyline.analyse.quotes import find_quotations
from storyline.analyse.timex import find_times
from storyline.clean import clean_article
from storyline.clean.normalize import normalize_text
from storyline.clean.rules import match_line_rule
from storyline.model import Article
from storyline.read.metadata import complete_metadata, find_dateline
from storyline.settings import Settings


def _article(text: str, **fields) -> Article:
    return Article(id="a", title="Schlagzeile", text=text, origin="t", **fields)


def _dates(text: str, anchor: str | None, lang: str) -> list[tuple[str, str]]:
    """Return each expression's text and value, in text order."""
    return [(t.text, t.value) for t in find_times(text, anchor, lang)]


# --- datelines and publication lines ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "BERLIN, 25. Januar 2022 (dpa) - Die Bundesregierung hat neue Hilfen beschlossen.",
            ("BERLIN, 25. Januar 2022 (dpa)", "dpa", "2022-01-25"),
        ),
        (
            "Paris, le 24 février 2022 - Le gouvernement a convoqué un conseil de défense.",
            ("Paris, le 24 février 2022", None, "2022-02-24"),
        ),
        (
            "MADRID, 25 de enero de 2022 (EFE).- El Gobierno aprobó ayer un plan de ayudas.",
            ("MADRID, 25 de enero de 2022 (EFE)", "EFE", "2022-01-25"),
        ),
        (
            "МОСКВА, 25 января 2022 - Министерство обороны сообщило об учениях.",
            ("МОСКВА, 25 января 2022", None, "2022-01-25"),
        ),
        (
            "Київ, 24 лютого 2022\nУряд запровадив воєнний стан по всій країні.",
            ("Київ, 24 лютого 2022", None, "2022-02-24"),
        ),
        (
            "Warszawa, 25 stycznia 2022 r.\nRząd przyjął projekt ustawy o obronie.",
            ("Warszawa, 25 stycznia 2022 r.", None, "2022-01-25"),
        ),
        (
            "WARSZAWA, 25 stycznia (PAP) - Premier spotkał się z szefami klubów.",
            ("WARSZAWA, 25 stycznia (PAP)", "PAP", "XXXX-01-25"),
        ),
        (
            "Hamburg, den 3. März 2022 - Der Hafen meldet einen Rückgang der Umschläge.",
            ("Hamburg, den 3. März 2022", None, "2022-03-03"),
        ),
    ],
)
def test_datelines_in_six_languages(text: str, expected: tuple) -> None:
    assert find_dateline(text) == expected


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Veröffentlicht am 25.01.2022, 09:40 Uhr", "2022-01-25"),
        ("Publié le 24/02/2022 à 10h30", "2022-02-24"),
        ("Publié le 05/02/2022 à 07h15", "2022-02-05"),  # French numbers are day first
        ("Publicado el 25 de enero de 2022", "2022-01-25"),
        ("Опубликовано: 24.02.2022", "2022-02-24"),
        ("Opublikowano: 3 marca 2022", "2022-03-03"),
        ("Published 05/02/2022", "2022-05-02"),  # English ones stay month first
    ],
)
def test_publication_lines_in_each_language(line: str, date: str) -> None:
    assert find_dateline(f"{line}\n\nDer Text beginnt hier.")[2] == date


def test_a_foreign_dateline_without_a_year_takes_it_from_the_text() -> None:
    text = (
        "WARSZAWA, 25 stycznia (PAP) - Premier spotkał się w Sejmie z szefami klubów. "
        "Budżet na 2022 rok ma zostać przyjęty do końca lutego."
    )
    article = complete_metadata(_article(text), Settings())
    assert (article.date, article.date_source, article.source) == ("2022-01-25", "dateline", "PAP")


# --- time expressions -------------------------------------------------------------------------


def test_german_dates_and_days_around_the_article_date() -> None:
    text = (
        "Am 25. Januar 2022 legte die Ministerin den Entwurf vor. Gestern sagte sie, der "
        "Vertrag vom 3. März werde im Januar 2023 überprüft; heute berät der Ausschuss."
    )
    assert _dates(text, "2022-01-27", "de") == [
        ("25. Januar 2022", "2022-01-25"),
        ("Gestern", "2022-01-26"),
        ("3. März", "2022-03-03"),
        ("Januar 2023", "2023-01"),
        ("heute", "2022-01-27"),
    ]


def test_french_dates_weekdays_and_relative_days() -> None:
    text = (
        "Le ministre s'est rendu à Kiev le 24 février, puis à Varsovie mardi 1er mars 2022. "
        "Hier, il a annoncé une aide ; aujourd’hui, il rencontre ses homologues."
    )
    assert _dates(text, "2022-03-02", "fr") == [
        ("24 février", "2022-02-24"),
        ("mardi 1er mars 2022", "2022-03-01"),
        ("Hier", "2022-03-01"),
        ("aujourd’hui", "2022-03-02"),
    ]


def test_spanish_dates_with_de_and_an_unknown_year() -> None:
    text = "El 25 de enero de 2022 el Congreso votó la reforma; ayer el Senado la aprobó y hoy se publica."
    assert _dates(text, "2022-02-10", "es") == [
        ("25 de enero de 2022", "2022-01-25"),
        ("ayer", "2022-02-09"),
        ("hoy", "2022-02-10"),
    ]
    assert _dates("La reunión del 25 de enero fue aplazada.", None, "es") == [
        ("25 de enero", "XXXX-01-25")
    ]


def test_russian_and_ukrainian_dates_with_the_word_for_year() -> None:
    ru = "25 января 2022 года в Москве прошли переговоры, вчера стороны обменялись нотами, а сегодня продолжат."
    assert _dates(ru, "2022-01-27", "ru") == [
        ("25 января 2022 года", "2022-01-25"),
        ("вчера", "2022-01-26"),
        ("сегодня", "2022-01-27"),
    ]
    uk = "Уряд ухвалив рішення 24 лютого. Вчора президент підписав указ, сьогодні його оприлюднили."
    assert _dates(uk, "2022-02-26", "uk") == [
        ("24 лютого", "2022-02-24"),
        ("Вчора", "2022-02-25"),
        ("сьогодні", "2022-02-26"),
    ]


def test_polish_dates_and_relative_days() -> None:
    text = "Ustawa weszła w życie 25 stycznia 2022 r. Wczoraj Sejm zajął się poprawkami, a dzisiaj głosuje."
    assert _dates(text, "2022-02-03", "pl") == [
        ("25 stycznia 2022 r.", "2022-01-25"),
        ("Wczoraj", "2022-02-02"),
        ("dzisiaj", "2022-02-03"),
    ]


def test_a_date_without_a_year_is_the_one_nearest_the_article_date() -> None:
    assert _dates("Le décret du 30 décembre a été annulé.", "2022-01-04", "fr") == [
        ("30 décembre", "2021-12-30")
    ]
    assert _dates("Gestern tagte der Rat.", "XXXX-01-26", "de") == [("Gestern", "XXXX-01-25")]
    assert _dates("Gestern tagte der Rat.", None, "de") == [("Gestern", "XXXX-XX-XX")]


def test_numeric_dates_are_day_first_and_impossible_dates_are_dropped() -> None:
    text = "Die Frist vom 05.02.2022 gilt, anders als die vom 31. Februar oder 2022-03-04."
    assert _dates(text, None, "de") == [("05.02.2022", "2022-02-05"), ("2022-03-04", "2022-03-04")]


def test_language_tags_with_a_region_pick_the_language() -> None:
    assert _dates("Hoy se reúne el Gobierno.", "2022-02-10", "es-MX") == [("Hoy", "2022-02-10")]


def test_english_and_unsupported_languages_keep_the_english_tagger() -> None:
    text = "The ministers met on February 24 and will meet again tomorrow."
    english = find_times(text, "2022-02-25")
    assert find_times(text, "2022-02-25", "en") == english
    assert find_times(text, "2022-02-25", "it") == english
    assert [(t.text, t.value) for t in english] == [
        ("February 24", "2022-02-24"),
        ("tomorrow", "2022-02-26"),
    ]


# --- boilerplate ------------------------------------------------------------------------------

BOILERPLATE = {
    "de": (
        "Die Stadtwerke erhöhen zum 1. April die Preise für Fernwärme um zwölf Prozent.\n"
        "Lesen Sie auch: Streit um den Kohleausstieg\n"
        "Der Bürgermeister wollte die Entscheidung nicht kommentieren und verwies auf den Rat.\n"
        "Teilen Sie diesen Artikel\n"
        "Newsletter abonnieren\n"
        "Anzeige\n"
        "Wir verwenden Cookies, um Ihnen ein besseres Nutzererlebnis zu bieten.\n"
        "Kommentar schreiben",
        [
            "read-more link",
            "share prompt",
            "sign-up prompt",
            "advertising",
            "site furniture",
            "comment form",
        ],
    ),
    "fr": (
        "La préfecture a levé l'arrêté de restriction d'eau après les pluies du week-end.\n"
        "Lire aussi : Les agriculteurs inquiets pour les récoltes\n"
        "Le maire a refusé de laisser un commentaire sur les plaintes des riverains.\n"
        "Partager sur Facebook\n"
        "Abonnez-vous à notre newsletter\n"
        "Nous utilisons des cookies pour améliorer votre expérience.\n"
        "Laisser un commentaire",
        ["read-more link", "share prompt", "sign-up prompt", "site furniture", "comment form"],
    ),
    "es": (
        "El ayuntamiento abrirá tres nuevos comedores escolares el próximo curso.\n"
        "Lee también: El precio del alquiler sigue al alza\n"
        "Compartir en redes sociales los datos de los menores ya es delito, recordó la concejala.\n"
        "Compartir en\n"
        "Suscríbete a nuestro boletín\n"
        "Deja un comentario",
        ["read-more link", "share prompt", "sign-up prompt", "comment form"],
    ),
    "ru": (
        "Власти города объявили о ремонте моста через реку до конца лета.\n"
        "Читайте также: Цены на топливо выросли\n"
        "Поделиться опытом с коллегами из других регионов пообещал глава департамента.\n"
        "Поделиться\n"
        "Подписаться на рассылку\n"
        "Оставить комментарий",
        ["read-more link", "share prompt", "sign-up prompt", "comment form"],
    ),
    "uk": (
        "Міська рада ухвалила програму утеплення шкіл на наступний рік.\n"
        "Читайте також: Ціни на газ знову зросли\n"
        "Поділитися досвідом з громадами сусідніх областей погодився мер міста.\n"
        "Поділитися\n"
        "Підписатися\n"
        "Залишити коментар",
        ["read-more link", "share prompt", "sign-up prompt", "comment form"],
    ),
    "pl": (
        "Samorząd województwa przeznaczy dodatkowe środki na remonty dróg powiatowych.\n"
        "Czytaj też: Rekordowe ceny węgla\n"
        "Udostępnij dane policji, zaapelował rzecznik do świadków wypadku na obwodnicy.\n"
        "Udostępnij\n"
        "Zapisz się do newslettera\n"
        "Dodaj komentarz",
        ["read-more link", "share prompt", "sign-up prompt", "comment form"],
    ),
}


@pytest.mark.parametrize("lang", sorted(BOILERPLATE))
def test_boilerplate_goes_and_sentences_with_the_same_words_stay(lang: str) -> None:
    text, reasons = BOILERPLATE[lang]
    lines = text.split("\n")
    clean = clean_article(_article(text, lang=lang))
    assert [r.reason for r in clean.removed] == reasons
    assert [r.text for r in clean.removed] == [lines[1], *lines[3:]]
    assert clean.text == f"{lines[0]}\n{lines[2]}"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Teilen: Facebook | Twitter | WhatsApp | E-Mail", "share prompt"),
        ("Partager : Facebook Twitter LinkedIn E-mail", "share prompt"),
        ("Comparte esta noticia: Facebook · Twitter · WhatsApp", "share prompt"),
        ("Das Abendblatt: Jetzt kostenlos unseren Newsletter abonnieren!", "sign-up prompt"),
        ("Chaque soir l'essentiel : inscrivez-vous à notre newsletter.", "sign-up prompt"),
        ("**Lesen Sie auch:** Warum die Mieten im Umland steigen", "read-more link"),
        ("Kommentare (7) – Bitte melden Sie sich an, um mitzudiskutieren.", "comment form"),
        ("Ваша адреса електронної пошти не буде опублікована.", "comment form"),
        ("Région | Publié le 03/03/2022 à 08h15", "publication line"),
        ("*Stand: 03.03.2022, 08:15 Uhr*", "publication line"),
        ("Stand 2021 lebten in dem Dorf noch 900 Menschen.", None),
        ("Teilen: Die Mehrheit der Befragten sieht das anders.", None),
    ],
)
def test_prompt_shapes_seen_on_news_sites(line: str, reason: str | None) -> None:
    assert match_line_rule(line) == reason


def test_a_dateline_may_name_two_places() -> None:
    text = "BREMEN/HANNOVER, 3. März 2022 – Die Häfen melden weniger Umschlag."
    assert find_dateline(text) == ("BREMEN/HANNOVER, 3. März 2022", None, "2022-03-03")


@pytest.mark.parametrize(
    "line",
    [
        "Veröffentlicht am 25.01.2022, 09:40 Uhr",
        "Publié le 24/02/2022 à 10h30",
        "Publicado el 25 de enero de 2022",
    ],
)
def test_publication_lines_are_removed(line: str) -> None:
    clean = clean_article(_article(f"{line}\nDer Rat tagte bis in die Nacht."))
    assert [(r.text, r.reason) for r in clean.removed] == [(line, "publication line")]


# --- quotation marks --------------------------------------------------------------------------


def _quotations(text: str) -> list[str]:
    normal = normalize_text(text)
    return [normal[q.start : q.end] for q in find_quotations(normal)]


def test_a_german_direct_quote_comes_out_with_straight_marks() -> None:
    text = "„Wir werden die Brücke bis zum Sommer sperren“, sagte die Senatorin am Montag."
    assert normalize_text(text) == (
        '"Wir werden die Brücke bis zum Sommer sperren", sagte die Senatorin am Montag.'
    )
    assert _quotations(text) == ['"Wir werden die Brücke bis zum Sommer sperren"']
    assert _quotations("Er sagte: »Das Werk bleibt offen.« Dann ging er.") == [
        '"Das Werk bleibt offen."'
    ]


def test_a_french_quote_loses_the_spaces_inside_its_guillemets() -> None:
    text = "«\u00a0Nous ne fermerons pas la maternité\u00a0», a assuré la directrice de l’hôpital."
    assert normalize_text(text) == (
        '"Nous ne fermerons pas la maternité", a assuré la directrice de l\'hôpital.'
    )
    assert _quotations(text) == ['"Nous ne fermerons pas la maternité"']


def test_a_quote_nested_in_guillemets_becomes_single_quoted() -> None:
    text = "«Компания „Северный порт“ выполнит контракт», — заявил директор."
    assert _quotations(text) == ["\"Компания 'Северный порт' выполнит контракт\""]
    nested = "« Il a répondu “jamais” devant le comité », raconte un témoin."
    assert _quotations(nested) == ["\"Il a répondu 'jamais' devant le comité\""]


def test_single_guillemets_and_corner_brackets() -> None:
    assert normalize_text("Le mot ‹ trêve › est revenu.") == "Le mot 'trêve' est revenu."
    assert normalize_text("「停戦」と『合意』") == "\"停戦\"と'合意'"


def test_apostrophes_and_english_quotes_are_unchanged_by_the_guillemet_rules() -> None:
    assert normalize_text("It’s “final”, the minister’s aide said.") == (
        "It's \"final\", the minister's aide said."
    )
    assert normalize_text("Aujourd’hui l’État paie.") == "Aujourd'hui l'État paie."
