"""A store records the profile that judged its articles, so another is refused before any story

Revision ID: 0013
Revises: 0012

``store_profile`` holds one row: the profile of the first ``collect``, ``run`` or ``ingest``
(or of the export an import brings). Before, only stories and ingest checkpoints named it,
so a store whose first collect found nothing relevant (no story written) was taken over by
the next profile, its sources collected and its stored verdicts listed as that profile's.
Stores upgraded here get no row: their stories and checkpoints still name their profile
(``stories.persist.require_profile``), and the first profile to collect or ingest after the
upgrade is recorded.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_profile",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_profile")),
    )


def downgrade() -> None:
    op.drop_table("store_profile")
