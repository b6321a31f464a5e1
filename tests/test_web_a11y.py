"""The pages for screen reader and keyboard users (WCAG 2.1 AA), read as HTML: text in Russian
says so (lang=), a form's error is an alert about its field with what was typed kept, each
page has one h1 and a title of its own, and every control says what it acts on.

What only a browser shows (focus, contrast, reflow, the sticky toolbar) is in
tests/test_browser_a11y.py.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.model import Hit
from web_support import WEEK, _article, login, token_of

RU_TITLE = "Казахстан увеличил экспорт зерна через Каспий"
RU_FIRST = "Казахстан отправил рекордные объемы пшеницы через порт Актау в декабре."
RU_TEXT = (
    f"{RU_FIRST}\nЭкспорт идет в Турцию и Иран. «Очередь судов растет», — сказал Марат Ержанов."
)


@pytest.fixture
def russian(seeded) -> int:
    """A report in Russian in the seeded week, with an ambiguous name among its hits; its id."""
    art = _article(
        6,
        RU_TITLE,
        RU_TEXT,
        day=18,
        outlet="Vremya",
        country="KZ",
        author="Марат Ержанов",
        quote=("Очередь судов растет", "Marat Yerzhanov"),
    )
    hits = [
        Hit("Казахстан", "Kazakhstan", "country", "title", 1),
        Hit("Актау", "Aktau", "place", "body", 1),
        Hit("Иран", "Iran", "ambiguous", "body", 1),
    ]
    art = replace(art, language="ru", relevance=replace(art.relevance, hits=hits))
    with seeded.engine.begin() as conn:
        store.save_articles(conn, [art])
    return art.id or 0


@pytest.fixture
def admin(app) -> TestClient:
    return login(TestClient(app, follow_redirects=False), "admin")


def post(client: TestClient, path: str, **data):
    return client.post(path, data={**data, "csrf_token": token_of(client)})


def followed(client: TestClient, response) -> str:
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"]).text


def title_of(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    return found[1]


def _start(client: TestClient) -> None:
    assert post(client, "/editor/start", week=WEEK).status_code == 303


# -- the language of the text (3.1.2) ---------------------------------------------------------


def test_an_article_in_russian_says_so_on_its_title_byline_terms_and_text(editor, russian):
    html = editor.get(f"/articles/{russian}").text
    assert '<html lang="en">' in html
    assert f'<h1 lang="ru">{RU_TITLE}</h1>' in html
    assert '<span lang="ru">Марат Ержанов</span>' in html
    assert '<td lang="ru">Актау</td><td>Aktau</td>' in html  # the term; what it stands for: English
    assert re.search(r'<div class="text" lang="ru">', html)


def test_an_article_in_english_needs_no_lang_of_its_own(editor, seeded):
    html = editor.get(f"/articles/{seeded.ids[1]}").text
    assert html.count("lang=") == html.count('lang="en"')


def test_story_and_report_titles_in_russian_say_so_on_the_week_and_review_pages(editor, russian):
    week = editor.get(f"/?week={WEEK}").text
    assert f'href="/articles/{russian}" lang="ru">{RU_TITLE}</a>' in week
    review = editor.get(f"/review?week={WEEK}").text
    assert review.count(f'href="/articles/{russian}" lang="ru">{RU_TITLE}</a>') == 2  # and member


def test_archive_results_in_russian_say_so(editor, russian):
    html = editor.get("/archive", params={"q": "пшеницы"}).text
    assert f'href="/articles/{russian}" lang="ru">{RU_TITLE}</a>' in html
    assert '<p class="snippet" lang="ru">' in html


def test_the_editor_marks_a_russian_items_fields_and_evidence(editor, russian):
    _start(editor)
    html = editor.get(f"/editor?week={WEEK}").text
    assert re.search(rf'<input name="headline" value="{RU_TITLE}"[^>]* lang="ru">', html)
    assert re.search(r'<textarea name="summary"[^>]* lang="ru">Казахстан', html)
    assert re.search(r'<textarea name="quote_text"[^>]* lang="ru">Очередь', html)
    assert f'<span lang="ru">{RU_FIRST}</span></p>' in html  # the sentence
    assert '<p class="ev-source" lang="ru">' in html  # its source in the article
    # The lines the digest writes are English, as the page is.
    assert not re.search(r'<textarea name="attribution"[^>]* lang=', html)


@pytest.mark.parametrize("path", [f"/preview?week={WEEK}", "/digests/1", "/public/digests/1"])
def test_the_digest_pages_mark_a_russian_items_words(editor, russian, path):
    _start(editor)
    post(editor, "/editor/publish", week=WEEK, revision="1")
    html = editor.get(path).text
    assert re.search(rf'<h[23] lang="ru">{RU_TITLE}</h[23]>', html)
    assert f'<span lang="ru">{RU_FIRST}</span>' in html


def test_the_exported_html_marks_a_russian_items_words(editor, russian):
    _start(editor)
    post(editor, "/editor/publish", week=WEEK, revision="1")
    html = editor.get("/digests/1/export.html").text
    assert re.search(rf'<h2 style="[^"]*" lang="ru">{RU_TITLE}</h2>', html)
    assert "<h1 " in html  # the file's own title stays its h1


# -- headings (1.3.1, 2.4.6) ------------------------------------------------------------------


@pytest.mark.parametrize("path", [f"/preview?week={WEEK}", "/digests/1"])
def test_a_digest_inside_a_page_has_its_headings_below_the_pages_h1(editor, path):
    _start(editor)
    post(editor, "/editor/publish", week=WEEK, revision="1")
    html = editor.get(path).text
    assert html.count("<h1") == 1
    assert "<h2>Foreign media digest: Dec. 15–21, 2025</h2>" in html
    assert "<h3>Caspian grain exports from Kazakhstan hit a record</h3>" in html


def test_the_public_page_keeps_the_digests_title_as_its_h1(editor):
    _start(editor)
    post(editor, "/editor/publish", week=WEEK, revision="1")
    html = editor.get("/public/digests/1").text
    assert html.count("<h1") == 1 and "<h1>Foreign media digest: Dec. 15–21, 2025</h1>" in html


def test_each_editor_item_is_a_heading_with_its_evidence_below_it(editor):
    _start(editor)
    html = editor.get(f"/editor?week={WEEK}").text
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", html)]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels))
    assert re.search(
        r'<h2 class="num">2<span class="visually-hidden">\. <span>Caspian grain exports', html
    )
    assert '<h3>Evidence<span class="visually-hidden"> for item 1</span></h3>' in html


# -- titles and navigation (2.4.2, 2.4.8, 4.1.2) ----------------------------------------------


def test_each_weeks_editor_preview_and_version_has_a_title_of_its_own(editor):
    _start(editor)
    post(editor, "/editor/publish", week=WEEK, revision="1")
    week = "week of Dec. 15–21, 2025"
    assert title_of(editor.get(f"/editor?week={WEEK}").text).startswith(f"Digest editor: {week}")
    assert title_of(editor.get(f"/preview?week={WEEK}").text).startswith(
        f"Preview of the draft: {week}"
    )
    assert title_of(editor.get("/digests/1").text).startswith(
        f"Published digest: {week}, version 1"
    )


def test_an_archive_search_is_named_in_the_title(editor):
    assert title_of(editor.get("/archive", params={"q": "grain"}).text).startswith(
        "Archive: grain ·"
    )
    assert title_of(editor.get("/archive").text).startswith("Archive ·")


@pytest.mark.parametrize(
    ("path", "entry", "current"),
    [("/review", "/review", "page"), ("/preview", "/editor", "true"),
     ("/audit", "/users", "true"), ("/articles/2", "/archive", "true"),
     ("/digests", "/digests", "page")],
)  # fmt: skip
def test_the_navigation_is_named_and_says_where_the_page_is(admin, path, entry, current):
    html = admin.get(path).text
    assert '<nav class="main" aria-label="Main">' in html
    assert re.findall(r'<a href="([^"]+)" aria-current="([a-z]+)"', html) == [(entry, current)]


# -- names of controls and headers (2.4.4, 2.4.6, 1.3.1) --------------------------------------


def test_no_table_header_cell_is_empty(admin, russian):
    _start(admin)
    post(admin, "/account/tokens", name="cms")
    for path in ["/users", "/sources", "/account", f"/?week={WEEK}", f"/articles/{russian}"]:
        html = admin.get(path).text
        for cell in re.findall(r"<th\b[^>]*>(.*?)</th>", html, re.S):
            assert re.sub(r"<[^>]+>", "", cell).strip(), (path, cell)


def test_the_review_pages_buttons_say_which_story_or_report_they_act_on(editor, russian):
    html = editor.get(f"/review?week={WEEK}").text
    title = f'<span lang="ru">{RU_TITLE}</span>'
    assert f'>Pin<span class="visually-hidden"> “{title}”</span></button>' in html
    assert f'>Hide<span class="visually-hidden"> “{title}”</span></button>' in html
    assert re.search(r">Split off<span class=\"visually-hidden\"> “<span>Kazakhstan wind", html)


def test_the_editors_links_and_buttons_say_which_item_and_sentence(editor):
    _start(editor)
    html = editor.get(f"/editor?week={WEEK}").text
    assert '<button class="primary">Save item 1</button>' in html
    assert '<button class="primary">Save item 3</button>' in html
    assert (
        'open in article<span class="visually-hidden">: the source of sentence 1, item 2</span>'
        in html
    )
    assert "the source of the quote, item 1</span>" in html


def test_remove_revoke_and_data_say_what_they_act_on(admin):
    post(admin, "/account/tokens", name="newsroom CMS")
    account = admin.get("/account").text
    assert 'Revoke<span class="visually-hidden"> the token newsroom CMS</span>' in account
    sources = admin.get("/sources").text
    assert re.search(r'>Remove<span class="visually-hidden"> Feed &lt;script', sources)
    week = admin.get(f"/?week={WEEK}").text
    assert 'Data<span class="visually-hidden">: articles per day by outlet country</span>' in week


# -- marks in an article say their kind in words (1.4.1) --------------------------------------


def test_each_mark_says_its_kind_and_the_legend_lists_every_kind_in_the_text(editor, russian):
    html = editor.get(f"/articles/{russian}").text
    assert '<mark class="place" title="place: Aktau">Актау</mark>' in html
    assert '<mark class="ambiguous" title="name that may mean something else: Iran">' in html
    legend = re.search(r'<p class="legend">.*?</p>', html, re.S)
    assert legend
    for kind in ("country", "place", "name that may mean something else", "quote"):
        assert f">{kind}</mark>" in legend[0]
    assert ">person</mark>" not in legend[0]  # none in this text


def test_the_source_of_a_digest_sentence_says_where_its_words_begin_and_end(editor, seeded):
    html = editor.get(f"/articles/{seeded.ids[1]}?hl=0-40").text
    assert re.search(
        r'<mark class="evidence" id="evidence"><span class="visually-hidden" lang="en">'
        r"supporting words: </span>.*\(end of supporting words\)</span></mark>",
        html,
    )


def test_every_editor_form_watched_for_changes_has_a_place_to_say_so(editor):
    _start(editor)
    html = editor.get(f"/editor?week={WEEK}").text
    forms = re.findall(r"<form [^>]*data-watch>.*?</form>", html, re.S)
    assert len(forms) == 5  # intro, trend and the three items
    assert all('<span class="dirty-note" role="status"></span>' in f for f in forms)


# -- a form's result and errors (3.3.1, 4.1.3) ------------------------------------------------


def test_an_error_is_an_alert_and_a_result_a_status(admin):
    html = followed(admin, post(admin, "/users/remove", name="admin"))
    alert = r'<p class="flash flash-error" id="flash-1" role="alert" tabindex="-1" data-focus>'
    assert re.search(alert + "You cannot remove", html)
    html = followed(admin, post(admin, "/sources/collect"))
    assert re.search(r'id="flash-1" role="status" tabindex="-1" data-focus>Collection', html)


def test_adding_a_user_whose_name_is_taken_keeps_what_was_typed_and_marks_the_name(admin):
    sent = {"name": "editor", "role": "viewer", "password": "a long password"}
    html = followed(admin, post(admin, "/users/add", **sent))
    assert 'id="flash-1" role="alert" tabindex="-1">There is already a user editor.' in html
    form = re.search(r'<form [^>]*id="add-user".*?</form>', html, re.S)
    assert form
    assert re.search(
        r'<input name="name"[^>]* value="editor" aria-invalid="true" '
        r'aria-describedby="flash-1" data-focus>',
        form[0],
    )
    assert "<option selected>viewer</option>" in form[0]  # the role chosen, not the default
    assert "a long password" not in html  # a password is never sent back


def test_a_source_that_is_no_web_address_stays_in_the_box_marked(admin):
    html = followed(admin, post(admin, "/sources/add", url="ftp://example.org/x", kind="sitemap"))
    assert re.search(
        r'<input name="url"[^>]* value="ftp://example.org/x" aria-invalid="true" '
        r'aria-describedby="flash-1" data-focus>',
        html,
    )
    assert "<option selected>sitemap</option>" in html
    added = followed(admin, post(admin, "/sources/add", url="https://ok.example/rss"))
    assert "aria-invalid" not in added


def test_new_passwords_that_differ_mark_the_second_box(admin):
    sent = {"password": "a long password", "password_again": "a long passwort"}
    html = followed(admin, post(admin, "/account/password", current_password="x", **sent))
    again = r'<input name="password_again"[^>]* aria-invalid="true" aria-describedby="flash-1"'
    assert re.search(again + " data-focus>", html)
    assert html.count("aria-invalid") == 1


def test_a_failed_sign_in_keeps_the_name_and_puts_the_focus_on_the_password(app):
    client = TestClient(app, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    html = client.post(
        "/login", data={"name": "editor", "password": "wrong one", "csrf_token": token[1]}
    ).text
    assert re.search(r'<input name="name"[^>]* value="editor" aria-invalid="true"', html)
    assert re.search(r'<input name="password"[^>]* aria-describedby="login-error" autofocus>', html)
    assert 'id="login-error" role="alert">Wrong name or password.' in html


def test_a_new_token_is_shown_in_a_status_that_takes_the_focus(admin):
    html = followed(admin, post(admin, "/account/tokens", name="cms"))
    status = '<p class="flash flash-ok" role="status" tabindex="-1" data-focus>New token'
    assert status in html


def test_a_date_the_archive_cannot_read_is_an_alert_about_its_box(editor):
    html = editor.get("/archive", params={"q": "grain", "since": "2025-13-45"}).text
    assert re.search(
        r'<p class="flash flash-error" id="problem-1" role="alert" tabindex="-1">from is not',
        html,
    )
    assert re.search(
        r'<input type="date" name="since" value="2025-13-45" aria-invalid="true" '
        r'aria-describedby="problem-1" data-focus>',
        html,
    )
