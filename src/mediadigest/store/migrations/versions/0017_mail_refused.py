"""Addresses the mail server refused for good, which sends to the list skip

Revision ID: 0017
Revises: 0016

A recipient refused with a 5xx (no such mailbox) was tried again at every send, and each
refusal was a line of the command's output: a list of 2,000 with 300 dead addresses. Such an
address is kept here with the server's reply and the time; sends to the [mail] list skip it
until an editor runs `mediadigest mail enable ADDR`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_refused",
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("refused_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_mail_refused")),
    )


def downgrade() -> None:
    op.drop_table("mail_refused")
