"""Sitemap sources forget the validators stored for them before indexes were read in full

Revision ID: 0009
Revises: 0008

Publishers add pages to a child sitemap and leave the index as it was. Before 2026-11-22 a
sitemap index kept its own ETag / Last-Modified, so it answered 304 and its children, where
the new pages are, were never read again. The code now stores none for an index, but a store
written before holds them: each sitemap source is read in full once more, after which an
index keeps none and a plain sitemap stores its own again. Feeds and pages are not touched.
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE sources SET etag = NULL, last_modified = NULL WHERE kind = 'sitemap'")


def downgrade() -> None:
    pass  # the validators are gone; the next round stores what the server sends
