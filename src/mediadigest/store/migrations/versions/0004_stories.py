"""stories: stories, their articles, editors' decisions (pin, hide, merge, split)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 16:00:00

The tables are declared in ``mediadigest.stories.persist`` (on the store's metadata).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=True),
        sa.Column("last_seen", sa.DateTime(), nullable=True),
        sa.Column("pinned", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into"],
            ["stories.id"],
            name=op.f("fk_stories_merged_into"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
    )
    op.create_index("ix_stories_profile_last_seen", "stories", ["profile", "last_seen"])
    op.create_table(
        "story_articles",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("via_story", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_articles_story_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_articles_article_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("profile", "article_id", name="pk_story_articles"),
    )
    op.create_index("ix_story_articles_story", "story_articles", ["story_id"])
    op.create_table(
        "story_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=True),
        sa.Column("article_ids", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_overrides")),
    )


def downgrade() -> None:
    op.drop_index("ix_story_articles_story", table_name="story_articles")
    op.drop_table("story_articles")
    op.drop_table("story_overrides")
    op.drop_index("ix_stories_profile_last_seen", table_name="stories")
    op.drop_table("stories")
