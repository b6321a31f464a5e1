"""Clustering across languages of one script: reports of one event in English, French and
German group into one story through the names and figures they share; two events that share
only the country's common names and one other name stay apart."""

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from mediadigest import run, store
from mediadigest.profile import load_profile
from mediadigest.stories import cluster as module
from mediadigest.stories.anchors import WEAK, report_anchors
from mediadigest.stories.cluster import ClusterDoc, ClusterParams, cluster, similarity
from mediadigest.stories.grouping import common_names, stop_stems, stop_words

DAY = datetime(2026, 11, 20, 9, tzinfo=UTC)


def _report(
    key: int,
    title: str,
    lead: str,
    language: str | None,
    *,
    entities: tuple[str, ...] = (),
    places: tuple[str, ...] = (),
    outlet: str | None = None,
    hours: float = 0,
) -> ClusterDoc:
    when = DAY + timedelta(hours=hours)
    return ClusterDoc(key, title, lead, entities, when, "", outlet, language, places)


def _params() -> ClusterParams:
    profile = load_profile("kazakhstan")
    return ClusterParams(
        stop_words=stop_words(profile),
        stop_stems=stop_stems(profile),
        common_names=common_names(profile),
    )


def _week(start: int) -> list[ClusterDoc]:
    """The week's other stories, in English: word weights need a window of several."""
    titles = (
        "Almaty metro gets three stations;Floods threaten Ural villages;Film festival begins;"
        "Wind farm deal signed in Zhambyl;Central bank holds its base rate;New airport terminal"
    )
    return [
        _report(start + i, t, "", "en", outlet="Ledger", hours=i * 5)
        for i, t in enumerate(titles.split(";"))
    ]


URANIUM_EN = _report(
    0,
    "Kazatomprom cuts its 2026 uranium output forecast as sulphuric acid runs short",
    "Kazakhstan's state uranium miner Kazatomprom said on Friday it would produce 12% less "
    "uranium next year than planned, as a shortage of sulphuric acid hits its Inkai and "
    "Budenovskoye mines.",
    "en",
    entities=("Kazatomprom",),
    outlet="Reuters",
)
URANIUM_FR = _report(
    1,
    "Le kazakh Kazatomprom abaisse sa prévision de production d'uranium",
    "Le premier producteur mondial d'uranium, Kazatomprom, prévoit de produire 12 % de moins "
    "que prévu l'an prochain, faute d'acide sulfurique pour ses mines d'Inkai et de "
    "Budenovskoye.",
    "fr",
    entities=("Kazatomprom",),
    outlet="Le Monde",
    hours=5,
)
URANIUM_DE = _report(
    2,
    "Kasachischer Uranförderer senkt Prognose",
    "Der kasachische Staatskonzern Kazatomprom will im kommenden Jahr 12 Prozent weniger Uran "
    "fördern als geplant, weil in den Minen Inkai und Budenowskoje Schwefelsäure fehlt.",
    "de",
    entities=("Kazatomprom",),
    outlet="Handelsblatt",
    hours=9,
)
URANIUM_RU = _report(
    3,
    "Казатомпром снизил прогноз добычи урана на 12%",
    "Казатомпром в следующем году добудет на 12% меньше урана, чем планировал, из-за "
    "нехватки серной кислоты на рудниках Инкай и Буденовское.",
    "ru",
    entities=("Kazatomprom",),
    outlet="Интерфакс",
    hours=12,
)


def test_reports_of_one_event_in_english_french_and_german_are_one_story():
    """Found in a country walk: reports of one event in several languages of one script
    grouped apart, and the digest showed the event two or three times. Their words barely
    meet; they share Kazatomprom, the Inkai and Budenovskoye mines and a figure (12%)."""
    docs = [URANIUM_EN, URANIUM_FR, URANIUM_DE, *_week(3)]
    assert [0, 1, 2] in cluster(docs, _params())


def test_a_report_in_another_language_joins_an_existing_story():
    """Grouping is incremental: a stored story enters as a seed. The French and German
    reports, arriving after the English one was a story, join it."""
    docs = [URANIUM_EN, *_week(1), URANIUM_FR, URANIUM_DE]
    seeds = [[0], *([i] for i in range(1, 7))]
    found = cluster(docs, _params(), seeds=seeds)
    assert [0, 7, 8] in found


def test_reports_in_two_languages_sharing_common_names_and_one_other_stay_apart():
    """An English report of a railway and a French one of a bank's listing both name Tokayev
    and Astana (the profile's president and capital, which reports of any two events may
    give) and Samruk-Kazyna, which pays for both. One name beside the common ones is no
    story: their words barely meet, and the names alone made them 0.15 alike (threshold
    0.12). Were the common names counted, the three would join them."""
    railway = _report(
        0,
        "Kazakhstan to lay a second track on its busiest railway to China",
        "Freight trains wait for days at the Dostyk border crossing, President Tokayev told "
        "ministers in Astana on Thursday, ordering Samruk-Kazyna to pay for a second track "
        "on the line by the end of 2027.",
        "en",
        entities=("Kassym-Jomart Tokayev", "Samruk-Kazyna"),
        places=("Astana",),
        outlet="Reuters",
    )
    listing = _report(
        1,
        "Le fonds souverain kazakh va introduire sa banque en bourse",
        "Le fonds Samruk-Kazyna cédera l'an prochain un quart du capital de sa banque de "
        "développement à des investisseurs étrangers, a annoncé à Astana le président "
        "Tokaïev, qui veut attirer des capitaux dans le secteur financier.",
        "fr",
        entities=("Kassym-Jomart Tokayev", "Samruk-Kazyna"),
        places=("Astana",),
        outlet="Le Figaro",
        hours=6,
    )
    docs = [railway, listing, *_week(2)]
    found = cluster(docs, _params())
    assert [0] in found and [1] in found
    assert [0, 1] in cluster(docs, replace(_params(), common_names=frozenset()))


def test_a_capitalised_german_noun_is_no_name():
    """German capitalises its nouns: "Export" mid-sentence met the weak "Exports" of an
    English headline in title case and, with "12%", joined a German report on coal and an
    English one on grain."""
    coal = _report(
        0,
        "Kasachstans Kohleexporte nach China wachsen",
        "Kasachstan hat in den ersten neun Monaten 12 Prozent mehr Kohle nach China "
        "geliefert. Der Export über die Grenzstation Dostyk stieg nach Angaben des "
        "Energieministeriums deutlich.",
        "de",
        outlet="Handelsblatt",
    )
    grain = _report(
        1,
        "Kazakhstan's Grain Exports To Turkey Rise",
        "Kazakhstan's grain exports to Turkey rose 12% in nine months, the ministry said.",
        "en",
        outlet="Ledger",
        hours=4,
    )
    found = cluster([coal, grain, *_week(2)], _params())
    assert [0] in found and [1] in found


def test_a_report_of_unknown_language_is_compared_by_its_script():
    """Where the language is unknown the script stands for it: a Latin report of unknown
    language and an English one are compared by their words alone, as before; the same
    report known to be German is compared through the anchors too."""
    words_only = replace(_params(), anchor_weight=0.0)
    unknown = [URANIUM_EN, replace(URANIUM_DE, language=None), *_week(2)]
    assert similarity(unknown, _params())[0, 1] == similarity(unknown, words_only)[0, 1]
    known = [URANIUM_EN, URANIUM_DE, *_week(2)]
    assert similarity(known, _params())[0, 1] > similarity(known, words_only)[0, 1]


def _jsonl(path: Path, reports: list[tuple[str, str, str, str, str]]) -> Path:
    path.write_text(
        "".join(
            json.dumps({"url": url, "title": title, "text": text, "lang": lang,
                        "published": f"{day}T09:00:00+00:00"}) + "\n"
            for url, title, text, lang, day in reports
        ),
        encoding="utf-8",
    )  # fmt: skip
    return path


def _stories(path: Path) -> list[list[str]]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT sa.story_id, a.url FROM story_articles sa JOIN articles a "
            "ON a.id = sa.article_id ORDER BY a.url"
        ).fetchall()
    found: dict[int, list[str]] = {}
    for story, url in rows:
        found.setdefault(story, []).append(url)
    return sorted(found.values())


def test_reports_in_other_languages_ingested_later_join_the_stored_story(tmp_path):
    """The store groups incrementally: the English report was a story when the French and
    German ones arrived a day later, and they join it (each was a story of its own)."""
    profile = load_profile("kazakhstan")
    engine = store.open_store(f"sqlite:///{tmp_path / 'store.db'}")
    first = [
        ("https://wire.example/uranium", URANIUM_EN.title, URANIUM_EN.lead, "en", "2026-11-20"),
        ("https://wire.example/metro", "Almaty metro opens three new stations in Kazakhstan",
         "Kazakhstan's largest city opened three metro stations on Friday.", "en", "2026-11-20"),
    ]  # fmt: skip
    later = [
        ("https://journal.example/uranium", URANIUM_FR.title, URANIUM_FR.lead, "fr", "2026-11-21"),
        ("https://zeitung.example/uran", URANIUM_DE.title, URANIUM_DE.lead, "de", "2026-11-21"),
    ]  # fmt: skip
    assert run.ingest(engine, profile, [_jsonl(tmp_path / "first.jsonl", first)]).ok
    assert run.ingest(engine, profile, [_jsonl(tmp_path / "later.jsonl", later)]).ok
    engine.dispose()
    found = _stories(tmp_path / "store.db")
    assert sorted(url for url, *_ in (*later, first[0])) in found


def test_comparison_across_languages_in_row_blocks_equals_one_block(monkeypatch):
    docs = [URANIUM_EN, URANIUM_FR, URANIUM_DE, URANIUM_RU, *_week(4)]
    whole = similarity(docs, _params())
    monkeypatch.setattr(module, "_BLOCK", 2)
    assert np.allclose(similarity(docs, _params()), whole)


def test_every_capitalised_word_of_a_language_that_capitalises_nouns_is_weak():
    lead = "Der Export von Kohle nach China stieg, teilte Kazatomprom mit."
    plain = report_anchors("", lead, (), None, frozenset(), frozenset())
    nouns = report_anchors("", lead, (), None, frozenset(), frozenset(), nouns_capitalised=True)
    assert {"ekspo", "kazat"} <= plain
    assert {WEAK + "ekspo", WEAK + "kazat"} <= nouns and not {"ekspo", "kazat"} & nouns
