"""An API token has a scope (read or full) and may expire

Revision ID: 0016
Revises: 0015

A token was its user's whole role until revoked: a dashboard that only reads held a key that
could publish, and a token handed to a contractor worked for ever. ``scope`` is "read" (GET
and HEAD only) or "full" (the user's role); every token stored before is "full", as it was.
``expires_at`` (naive UTC) is when it stops working; NULL, as for every token before: never.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "api_tokens",
        sa.Column("scope", sa.String(length=8), nullable=False, server_default="full"),
    )
    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN, as 0014: neither column is in an index or a constraint. Going back
    # makes every read-only or expiring token a full one that never expires: revoke them first.
    op.drop_column("api_tokens", "expires_at")
    op.drop_column("api_tokens", "scope")
