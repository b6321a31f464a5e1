"""An editor's weeks: decisions that outlive their week, late articles, what publish says.

From a walk over four weeks of a desk's work: splitting every article out of a pinned (or
hidden) story left the pin on an empty story and the articles, unflagged, back in the digest;
an article arriving after the draft was made was announced as "nothing changed since", and a
plain `publish` after `publish --rebuild` silently published the older draft again; a pin or a
hide of week 1 decided week 2's digest without a word; the empty week's hint named a draft
that did not exist.
"""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest.cli import app as cli
from mediadigest.stories import persist as story_store


def mediadigest(seeded, *args: str):
    return CliRunner().invoke(cli, ["--db", seeded.settings.db, *args])


def story_of(seeded, article: int) -> int:
    """The stored story of the ``article``-th seeded article."""
    sa_ = story_store.story_articles
    query = sa.select(sa_.c.story_id).where(sa_.c.article_id == seeded.ids[article])
    with seeded.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def flags(seeded, story_id: int) -> tuple[bool, bool, int]:
    """(pinned, hidden, articles held) of a stored story."""
    st, sa_ = story_store.stories, story_store.story_articles
    with seeded.engine.connect() as conn:
        row = conn.execute(sa.select(st.c.pinned, st.c.hidden).where(st.c.id == story_id)).one()
        held = conn.execute(
            sa.select(sa.func.count()).where(sa_.c.story_id == story_id)
        ).scalar_one()
    return row.pinned, row.hidden, held


def story_count(seeded) -> int:
    with seeded.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(story_store.stories)).scalar()


# -- a split leaves something behind ---------------------------------------------------------


def test_splitting_out_every_article_of_a_pinned_story_is_refused(seeded):
    wind = story_of(seeded, 0)  # the wind farm: articles 0 and 3
    assert mediadigest(seeded, "stories", "pin", str(wind)).exit_code == 0
    before = story_count(seeded)
    result = mediadigest(
        seeded, "stories", "split", str(wind), str(seeded.ids[0]), str(seeded.ids[3])
    )
    assert result.exit_code == 1
    assert "are all its articles, and a split leaves at least one in the story" in result.output
    assert (flags(seeded, wind), story_count(seeded)) == ((True, False, 2), before)


def test_splitting_the_only_article_of_a_hidden_story_is_refused(seeded):
    """The new story came back into the digest: a hidden story shown again."""
    university = story_of(seeded, 1)
    assert mediadigest(seeded, "stories", "hide", str(university)).exit_code == 0
    result = mediadigest(seeded, "stories", "split", str(university), str(seeded.ids[1]))
    assert result.exit_code == 1
    assert f"article {seeded.ids[1]} is its only article" in result.output
    assert "hide the story to keep it out of the digest" in result.output
    assert flags(seeded, university) == (False, True, 1)
