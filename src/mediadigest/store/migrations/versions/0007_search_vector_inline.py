"""PostgreSQL: keep each article's search vector in its row, not in the TOAST table

Revision ID: 0007
Revises: 0006

A vector (about 1.5 kB) plus the text makes a row too long for a page's share, so PostgreSQL
moved the vector out of line, and every test of ``search @@ query`` on a row fetched it from
the TOAST table: about 3 to 4 times the cost of reading it in place. `search` tests the newest
articles one by one (see ``store/search.py``), so that cost is on every query. With storage
MAIN the text (compressible, and only read for the 20 snippets) goes out of line instead.

Rows written before keep their vector where it is until they are rewritten: run
``VACUUM FULL articles`` once, out of hours (it locks the table, and cannot run inside the
migration's transaction). Nothing changes on SQLite.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE articles ALTER COLUMN search SET STORAGE MAIN")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE articles ALTER COLUMN search SET STORAGE EXTENDED")
