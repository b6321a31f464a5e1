"""Folders: a source's folder path, cleaned or checked; adding sources that files them (both
backends)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadigest import store
from mediadigest.collect import folders
from mediadigest.errors import InputError
from mediadigest.model import Source


@given(st.text())
def test_a_cleaned_path_has_short_printable_names_and_cleans_to_itself(text):
    path = folders.clean(text)
    if path is None:
        return
    names = path.split("/")
    assert 1 <= len(names) <= folders.MAX_DEPTH
    for name in names:
        assert name and name == name.strip() and len(name) <= folders.MAX_NAME
        assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in name)
        assert not any("\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069" for c in name)
        assert " " * 2 not in name and "\n" not in name
    assert folders.clean(path) == path


def test_a_name_keeps_one_space_where_a_control_character_stood_between_two():
    assert folders.clean("Central \x85\u202e Asia\t\n/ News") == "Central Asia/News"


def test_a_typed_path_loses_only_its_blanks():
    assert folders.check(" Russia / Business ") == "Russia/Business"
    assert folders.check("") is None
    assert folders.check("/") is None


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("Rus\x1bsia", "--folder: 'Rus\\x1bsia' holds a control character"),
        ("x" * 101, "--folder: a folder's name is longer than 100 characters"),
        ("/".join("a" * 11), f"--folder: {'/'.join('a' * 11)!r} is nested deeper than 10 folders"),
    ],
)
def test_a_typed_path_that_cleaning_would_change_is_refused(typed, said):
    with pytest.raises(InputError) as raised:
        folders.check(typed)
    assert str(raised.value) == said


def test_a_folder_holds_its_subfolders_and_not_a_folder_that_starts_alike():
    assert folders.within("Russia/Business", "Russia")
    assert folders.within("Russia", "Russia/")
    assert not folders.within("Russian", "Russia")
    assert not folders.within(None, "Russia")


# -- the store -------------------------------------------------------------------------------

RUSSIA = [
    Source("https://tass.example/rss", folder="Russia"),
    Source("https://kommersant.example/rss", folder="Russia/Business"),
]


def _filed(engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        return {r["url"]: r["folder"] for r in store.list_sources(conn)}


def test_sources_are_stored_in_their_folders(engine):
    with engine.begin() as conn:
        done = store.add_sources(conn, [*RUSSIA, Source("https://top.example/rss")])
    assert (done.added, done.present, done.moved) == (3, 0, [])
    assert _filed(engine) == {
        "https://tass.example/rss": "Russia",
        "https://kommersant.example/rss": "Russia/Business",
        "https://top.example/rss": None,
    }


def test_adding_the_same_list_again_adds_and_moves_nothing(engine):
    with engine.begin() as conn:
        store.add_sources(conn, RUSSIA)
        done = store.add_sources(conn, RUSSIA)
    assert (done.added, done.present, done.moved) == (0, 2, [])
    assert len(_filed(engine)) == 2


def test_a_list_that_files_a_source_elsewhere_moves_it_and_says_from_where(engine):
    with engine.begin() as conn:
        store.add_sources(conn, RUSSIA)
        done = store.add_sources(
            conn,
            [
                Source("https://tass.example/rss", folder="Agencies"),
                Source("https://kommersant.example/rss"),  # out of every folder
            ],
        )
    assert done.moved == [
        ("https://tass.example/rss", "Russia", "Agencies"),
        ("https://kommersant.example/rss", "Russia/Business", None),
    ]
    assert _filed(engine) == {
        "https://tass.example/rss": "Agencies",
        "https://kommersant.example/rss": None,
    }


def test_a_list_without_folders_leaves_sources_where_they_are(engine):
    """A URL list, or an OPML from a reader without folders, says nothing about filing."""
    with engine.begin() as conn:
        store.add_sources(conn, RUSSIA)
        done = store.add_sources(conn, [Source("https://tass.example/rss")])
    assert done.moved == []
    assert _filed(engine)["https://tass.example/rss"] == "Russia"


def test_a_url_given_twice_as_stored_is_one_source_in_its_first_folder(engine):
    with engine.begin() as conn:
        done = store.add_sources(
            conn,
            [
                Source("https://TASS.example/rss", folder="Russia"),
                Source("https://tass.example/rss#top", folder="Agencies"),
            ],
        )
    assert (done.added, done.present, done.moved) == (1, 0, [])
    assert _filed(engine) == {"https://tass.example/rss": "Russia"}
