"""The editor's edits keep each sentence traceable: evidence follows a sentence's content.

Through the web app, on a real SQLite store: an item of one long report, edited as an editor
would (a line inserted, lines moved, the quote's words or speaker changed), then published.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.config import Settings
from mediadigest.model import Article, Grade, Hit, Quote, Relevance
from mediadigest.stories import persist as stories
from mediadigest.web import persist, versions
from mediadigest.web.persist import Role
from web_support import CHEAP, PASSWORD, WEEK, login, token_of

QUOTE = "We will connect the capital and Karaganda by rail before the decade ends"
OTHER = "The line will cut the journey to three hours"  # someone else's words, same article
TEXT = (
    "Kazakhstan approved a high-speed railway between Astana and Karaganda on Monday, "
    "the transport ministry said. "
    "The line will run for about 220 kilometres across the northern steppe. "
    "Chinese and Kazakh contractors will share the construction work under the agreement. "
    "The first trains are expected to carry passengers in 2030, officials said. "
    "Freight operators in Karaganda welcomed the plan as a boost for the region's mines. "
    "Critics in parliament questioned the cost of the project and its financing. "
    f"“{QUOTE},” Transport Minister Nurlan Sauranbayev said. "
    f"“{OTHER},” engineer Dana Omarova said."
)


@pytest.fixture
def seeded(tmp_path: Path):
    """One relevant report with a quote, in a story of its own, and an editor."""
    db = f"sqlite:///{tmp_path / 'evidence.db'}"
    engine = store.open_store(db)
    quotes = [
        Quote(QUOTE, "Nurlan Sauranbayev", TEXT.index(QUOTE), TEXT.index(QUOTE) + len(QUOTE)),
        Quote(OTHER, "Dana Omarova", TEXT.index(OTHER), TEXT.index(OTHER) + len(OTHER)),
    ]
    art = Article(
        url="https://rail.example/2025/12/15/kazakhstan-approves-railway",
        canonical_url="https://rail.example/2025/12/15/kazakhstan-approves-railway",
        content_hash="e" * 40,
        title="Kazakhstan approves Astana–Karaganda high-speed railway",
        text=TEXT,
        outlet="Rail Gazette",
        outlet_country="GB",
        published=datetime(2025, 12, 15, 9, 30),
        language="en",
        relevance=Relevance(
            score=8.0,
            grade=Grade.SUBJECT,
            relevant=True,
            hits=[
                Hit("Kazakhstan", "Kazakhstan", "country", "title", 1),
                Hit("Astana", "Astana", "place", "body", 1),
            ],
            reasons=["“Kazakhstan” in the title"],
        ),
        quotes=quotes,
    )
    with engine.begin() as conn:
        store.save_articles(conn, [art])
        persist.add_user(conn, "editor", Role.editor, CHEAP.hash(PASSWORD))
        first = datetime(2025, 12, 15)
        story = stories.create(conn, "kazakhstan", art.title, first, first)
        stories.add_members(conn, "kazakhstan", story, {art.id or 0: (None, False)})
    return Settings(db=db), engine


@pytest.fixture
def editor(seeded) -> TestClient:
    from mediadigest.web.app import create_app

    settings, engine = seeded
    client = TestClient(create_app(settings, engine=engine), follow_redirects=False)
    login(client, "editor")
    post(client, "/editor/start", week=WEEK)
    return client


def post(client: TestClient, path: str, **data):
    return client.post(path, data={**data, "csrf_token": token_of(client)})


SINCE, UNTIL = date(2025, 12, 15), date(2025, 12, 21)


def the_item(engine, published: bool = False) -> tuple[dict, int]:
    """The draft's (or the latest published version's) only item, and the draft's revision."""
    with engine.connect() as conn:
        content, revision = versions.get_draft(conn, "kazakhstan", SINCE, UNTIL)
        if published:
            content = versions.latest_version(conn, "kazakhstan", SINCE, UNTIL)["content"]
    return content["items"][0], revision


def form(item: dict, revision: int, **change) -> dict:
    """The edit form as the page sends it, with ``change`` typed over it."""
    quote = item.get("quote") or {}
    data = {
        "week": WEEK,
        "revision": str(revision),
        "headline": item["headline"],
        "attribution": item["attribution"],
        "summary": "\n".join(item["summary"]),
        "quote_text": quote.get("text", ""),
        "quote_speaker": quote.get("speaker") or "",
    }
    return {**data, **change}


def spans(item: dict) -> dict:
    """Each entry of ``evidence`` by its ``sentence``, with the text it points at."""
    return {e["sentence"]: (e, TEXT[e["start"] : e["end"]]) for e in item["evidence"]}


# Four sentences of the report, as an item of a story of several reports has them.
SENTENCES = [
    "The line will run for about 220 kilometres across the northern steppe.",
    "Chinese and Kazakh contractors will share the construction work under the agreement.",
    "The first trains are expected to carry passengers in 2030, officials said.",
    "Freight operators in Karaganda welcomed the plan as a boost for the region's mines.",
]
NEW = "Editors at the desk added this line about the opening ceremony next spring."


@pytest.fixture
def four(seeded, editor) -> TestClient:
    """The draft's item told in ``SENTENCES``, each with its evidence in the report."""
    _, engine = seeded
    with engine.begin() as conn:
        content, revision = versions.get_draft(conn, "kazakhstan", SINCE, UNTIL)
        item = content["items"][0]
        aid = item["article_id"]
        item["summary"] = list(SENTENCES)
        item["evidence"] = [e for e in item["evidence"] if e["part"] != "summary"] + [
            {"sentence": i, "part": "summary", "article_id": aid, "start": at, "end": at + len(s)}
            for i, s in enumerate(SENTENCES)
            for at in [TEXT.index(s)]
        ]
        versions.save_draft(
            conn, "kazakhstan", SINCE, UNTIL, content, user="editor", revision=revision
        )
    return editor


def edited(client: TestClient, engine, **change) -> dict:
    item, revision = the_item(engine)
    response = post(client, "/editor/items/0/edit", **form(item, revision, **change))
    assert response.status_code == 303, response.text
    return the_item(engine)[0]


def summary_evidence(item: dict) -> dict[int, str]:
    """Each summary sentence's evidence, by the sentence's index: the text it points at,
    which must hold the sentence (as test_stories_e2e checks the writer's)."""
    found = {}
    for e in item["evidence"]:
        if e["part"] == "summary":
            found[e["sentence"]] = TEXT[e["start"] : e["end"]]
    return found


def test_a_sentence_inserted_as_line_3_has_no_evidence_and_the_others_keep_theirs(four, seeded):
    lines = [*SENTENCES[:2], NEW, *SENTENCES[2:]]
    item = edited(four, seeded[1], summary="\n".join(lines))
    assert item["summary"] == lines
    found = summary_evidence(item)
    assert sorted(found) == [0, 1, 3, 4]  # line 3 (index 2) is the editor's
    for i in found:
        assert item["summary"][i].endswith(found[i]) and found[i]
    assert not any(e.get("edited") for e in item["evidence"])
    assert item["written_by"] == "editor" and item["edited"] is True
    # The editor page says so, beside the right sentences.
    page = four.get(f"/editor?week={WEEK}").text
    assert page.count("No source span: written by an editor.") == 1
    assert page.count('<span class="badge warn">reworded</span>') == 0


def test_moved_sentences_keep_their_own_evidence(four, seeded):
    lines = [SENTENCES[3], SENTENCES[0], SENTENCES[2], SENTENCES[1]]
    item = edited(four, seeded[1], summary="\n".join(lines))
    found = summary_evidence(item)
    assert sorted(found) == [0, 1, 2, 3]
    for i, sentence in enumerate(lines):
        assert found[i] == sentence
    assert item["written_by"] == "extractive"  # every sentence is still the report's own


def test_a_deleted_sentence_takes_its_evidence_with_it(four, seeded):
    lines = [SENTENCES[0], SENTENCES[2], SENTENCES[3]]
    item = edited(four, seeded[1], summary="\n".join(lines))
    assert summary_evidence(item) == dict(enumerate(lines))


def test_a_lightly_edited_sentence_keeps_its_source_marked_edited(four, seeded):
    typo = SENTENCES[2].replace("in 2030, officials said", "in 2030, the officials said")
    lines = [SENTENCES[0], NEW, SENTENCES[1], typo]  # the fourth deleted, a line typed anew
    item = edited(four, seeded[1], summary="\n".join(lines))
    found = summary_evidence(item)
    assert sorted(found) == [0, 2, 3]
    assert found[3] == SENTENCES[2]  # its own source, not the deleted fourth's
    marked = {e["sentence"] for e in item["evidence"] if e.get("edited")}
    assert marked == {3}
    page = four.get(f"/editor?week={WEEK}").text
    assert page.count('<span class="badge warn">reworded</span>') == 1


def test_sentences_typed_with_other_quote_marks_and_spaces_are_the_same_sentences(four, seeded):
    retyped = ["  " + SENTENCES[3].replace("'", "’").replace(" ", "  ")]
    item = edited(four, seeded[1], summary="\n".join([*retyped, SENTENCES[0]]))
    assert item["summary"][0] == SENTENCES[3].replace("'", "’")  # spaces set as one
    assert sorted(summary_evidence(item)) == [0, 1]
    assert not any(e.get("edited") for e in item["evidence"])


def quote_entry(item: dict) -> dict | None:
    return next((e for e in item["evidence"] if e["part"] == "quote"), None)


def test_a_quote_in_words_the_report_never_had_has_no_span(editor, seeded):
    item = edited(editor, seeded[1], quote_text="We will finish the railway early and cheaply")
    assert item["quote"]["text"] == "We will finish the railway early and cheaply"
    assert quote_entry(item) is None
    page = editor.get(f"/editor?week={WEEK}").text
    assert "not verbatim" not in page
    assert page.count("No source span: written by an editor.") == 1


def test_a_quote_in_other_words_of_the_same_report_points_at_them(editor, seeded):
    item = edited(editor, seeded[1], quote_text=OTHER, quote_speaker="Dana Omarova")
    entry = quote_entry(item)
    assert entry is not None and TEXT[entry["start"] : entry["end"]] == OTHER
    assert not entry.get("speaker_edited")  # the report has Dana Omarova say them


def test_other_words_of_the_report_under_the_old_speaker_are_the_editors_speaker(editor, seeded):
    item = edited(editor, seeded[1], quote_text=OTHER)  # still "Nurlan Sauranbayev"
    entry = quote_entry(item)
    assert TEXT[entry["start"] : entry["end"]] == OTHER
    assert entry["speaker_edited"] is True


def test_a_changed_speaker_keeps_the_span_of_the_words_and_is_marked_the_editors(editor, seeded):
    before = quote_entry(the_item(seeded[1])[0])
    item = edited(editor, seeded[1], quote_speaker="Dana Omarova")
    entry = quote_entry(item)
    assert (entry["start"], entry["end"]) == (before["start"], before["end"])
    assert entry["speaker_edited"] is True
    assert item["edited"] is True
    page = editor.get(f"/editor?week={WEEK}").text
    assert '<span class="badge warn">speaker named by an editor</span>' in page
    assert "not verbatim" not in page  # the words are the report's
    post(editor, "/editor/publish", week=WEEK, revision=str(the_item(seeded[1])[1]))
    published = the_item(seeded[1], published=True)[0]
    assert quote_entry(published)["speaker_edited"] is True


def test_an_edit_leaving_the_quote_as_it_was_keeps_its_span_unmarked(editor, seeded):
    before = quote_entry(the_item(seeded[1])[0])
    item = edited(editor, seeded[1], headline="Kazakhstan approves a railway")
    assert quote_entry(item) == before
    assert item["written_by"] == "extractive"


def test_the_published_version_keeps_the_evidence_of_an_inserted_line(four, seeded):
    lines = [*SENTENCES[:2], NEW, *SENTENCES[2:]]
    edited(four, seeded[1], summary="\n".join(lines))
    post(four, "/editor/publish", week=WEEK, revision=str(the_item(seeded[1])[1]))
    item = the_item(seeded[1], published=True)[0]
    assert item["written_by"] == "editor"
    found = summary_evidence(item)
    assert sorted(found) == [0, 1, 3, 4]
    assert all(item["summary"][i].endswith(found[i]) for i in found)
    exported = four.get("/digests/1/export.json").json()["items"][0]
    assert exported["written_by"] == "editor" and exported["evidence"] == item["evidence"]


# -- one paragraph per box -------------------------------------------------------------------


def test_an_intro_with_a_blank_line_and_an_indent_is_one_paragraph_everywhere(editor, seeded):
    _, revision = the_item(seeded[1])
    typed = "First paragraph of the intro.\n\n    An indented line\n  with   spaces."
    response = post(editor, "/editor/intro", week=WEEK, revision=str(revision), text=typed)
    assert response.status_code == 303
    one = "First paragraph of the intro. An indented line with spaces."
    post(editor, "/editor/publish", week=WEEK, revision=str(the_item(seeded[1])[1]))
    markdown = editor.get("/digests/1/export.md").text
    html = editor.get("/digests/1/export.html").text
    assert f"\n{one}\n" in markdown  # one paragraph, no code block
    assert f"{one}</p>" in html


def test_an_items_lines_are_each_one_paragraph(editor, seeded):
    before = quote_entry(the_item(seeded[1])[0])
    item = edited(
        editor,
        seeded[1],
        headline="Kazakhstan approves\na railway",
        attribution="  Rail Gazette reported.\n\nOn Dec. 15.",
        quote_text=f"{QUOTE[:20]}\n\n{QUOTE[20:]}",
        quote_speaker="Nurlan\n Sauranbayev",
        summary="    An indented   line.\n\n" + SENTENCES[0],
    )
    assert item["headline"] == "Kazakhstan approves a railway"
    assert item["attribution"] == "Rail Gazette reported. On Dec. 15."
    assert item["summary"] == ["An indented line.", SENTENCES[0]]
    assert item["quote"]["speaker"] == "Nurlan Sauranbayev"
    assert item["quote"]["text"] == QUOTE
    assert quote_entry(item) == before  # the same words, so the same span
