"""Articles keep the offset of the clock their publication time was read on

Revision ID: 0010
Revises: 0009

An article's ``published`` (and so its ``dated``, the key of periods and weeks) was
converted to UTC, and the outlet's offset dropped: a Kazakh outlet's article of 02:00 on a
Monday was dated the Sunday before, and fell into the week before. Articles stored from now
on keep the outlet's wall time in ``published`` and ``dated``, and its offset in minutes east
of UTC in ``published_offset``. Rows stored before have no offset (NULL): their times are
UTC, which is how a time without an offset is read, so they stay as they are.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: a batch copy of `articles` on SQLite would drop the
    # FTS triggers of migration 0002.
    op.add_column("articles", sa.Column("published_offset", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    # The wall times stay: an older mediadigest reads them as UTC, hours off, on the day
    # the outlet printed.
    op.drop_column("articles", "published_offset")
