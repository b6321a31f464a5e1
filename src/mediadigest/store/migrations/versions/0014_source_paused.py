"""A source can be paused: left out of collection, kept with its history

Revision ID: 0014
Revises: 0013

A source that was noisy or broken for a while could only be removed, and with it went its
health history, its folder and its seen items (added again, it collected its whole backlog
again). ``paused_at`` is when an editor paused it (``sources pause``, the sources page);
NULL, as for every source stored before: collected.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sources", sa.Column("paused_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN, not batch mode: a batch copy drops and remakes `sources`, and with
    # foreign keys on, dropping it deletes every source's seen items and schedule.
    op.drop_column("sources", "paused_at")
