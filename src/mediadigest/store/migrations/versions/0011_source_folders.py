"""Sources keep the folder they are filed in

Revision ID: 0011
Revises: 0010

An OPML subscription list files its feeds in folders (nested outlines, "Russia/Business");
`sources import` flattened them and `sources export` wrote a flat list, so a round trip
through mediadigest lost a press office's organisation. ``folder`` holds the path, names
joined by "/" (see ``collect.folders``); NULL, as for every source stored before: at the top
of the list.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sources", sa.Column("folder", sa.Text(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN, not batch mode: a batch copy drops and remakes `sources`, and with
    # foreign keys on, dropping it deletes every source's seen items and schedule.
    op.drop_column("sources", "folder")
