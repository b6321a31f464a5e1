"""What the understanding steps find: article kind, attribution, entities, themes, tone.

Revision ID: 0006
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

_COLUMNS = [
    ("kind", sa.String(16)),
    ("origin", sa.Text()),
    ("reported_by", sa.Text()),
    ("reported_on", sa.Date()),
    ("original_title", sa.Text()),
    ("parent_url", sa.Text()),
    ("tone", sa.Float()),
    ("attribution", sa.JSON()),
    ("entities", sa.JSON()),
    ("themes", sa.JSON()),
    ("explanations", sa.JSON()),
]


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: a batch copy of `articles` on SQLite would drop the
    # FTS triggers of migration 0002.
    for name, type_ in _COLUMNS:
        extra = {"nullable": False, "server_default": "news"} if name == "kind" else {}
        op.add_column("articles", sa.Column(name, type_, **extra))
    op.create_index("ix_articles_parent_url", "articles", ["parent_url"])
    op.create_table(
        "article_themes",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_article_themes_article_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("article_id", "theme", name="pk_article_themes"),
    )
    op.create_index("ix_article_themes_theme", "article_themes", ["theme"])


def downgrade() -> None:
    op.drop_table("article_themes")
    op.drop_index("ix_articles_parent_url", "articles")
    for name, _ in reversed(_COLUMNS):
        op.drop_column("articles", name)
