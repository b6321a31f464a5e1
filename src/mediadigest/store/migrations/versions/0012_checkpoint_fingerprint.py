"""Ingest checkpoints keep a fingerprint of what was read, so a file that grew reads on

Revision ID: 0012
Revises: 0011

A checkpoint named its file by size and modification time, so a WARC a crawler was still
appending to was read again from its first byte on the next ingest. ``fingerprint`` hashes
samples of the bytes read (``run.ingest.fingerprint``): where the file is larger now and
those bytes are as they were, ingest goes on from the checkpoint's position. Checkpoints
stored before have none (NULL): such a file that changed is read from its start, as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ingest_checkpoints", sa.Column("fingerprint", sa.String(64), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN, as 0011 does: nothing points at this table, but batch mode's copy
    # is not needed for one nullable column.
    op.drop_column("ingest_checkpoints", "fingerprint")
