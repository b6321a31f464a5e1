"""What a command says when the store fails under it: one line naming the reason."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

from mediadigest import store
from mediadigest.run.writer import unavailable


def _error(message: str) -> sa.exc.OperationalError:
    return sa.exc.OperationalError(
        "INSERT INTO articles (url) VALUES (?)", ("u",), sqlite3.OperationalError(message)
    )


def test_a_full_disk_is_the_store_out_of_reach_and_said_on_one_line():
    error = _error("database or disk is full")
    assert store.unavailable_reason(error) == "database or disk is full"
    assert unavailable(error) == "the store is unavailable (database or disk is full)"


def test_an_error_not_known_as_an_outage_is_said_on_one_line_without_the_sql():
    error = _error("attempt to write a readonly database")
    assert "\n" in str(error) and "INSERT" in str(error)  # SQLAlchemy's own text
    said = unavailable(error)
    assert said == "the store is unavailable (attempt to write a readonly database)"
