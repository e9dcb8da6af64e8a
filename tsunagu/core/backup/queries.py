"""The statements of backups: the tables of the database and how many rows each holds.

They take any DB-API cursor of the configured vendor, one of a connection the backup opened
itself (PostgreSQL's snapshot, SQLite's copy), or without one read through Django's own.

Unlike every other ``queries.py``, these statements do not call core.sql.in_scope(): a backup
copies the whole database, every table of every network, on purpose, and checks the copy by
counting each table's rows. They belong to no network's scope; they run from the ``backup``
and ``restore`` commands only (core/backup/), never from a page, and return no member's data:
names of tables, counts and PostgreSQL's snapshot name.
"""

from __future__ import annotations

from typing import Any

from django.db import connection


def table_names(cursor: Any = None) -> list[str]:
    """Every table of the database (not views), as Django's introspection lists them."""
    if cursor is None:
        with connection.cursor() as own:
            return table_names(own)
    tables = connection.introspection.get_table_list(cursor)
    return sorted(table.name for table in tables if table.type == "t")


def self_contained(sqlite_connection: Any) -> None:
    """SQLite: the copy keeps everything in its one file (no write-ahead log beside it)."""
    sqlite_connection.execute("PRAGMA journal_mode=DELETE")


def row_counts(cursor: Any = None) -> dict[str, int]:
    if cursor is None:
        with connection.cursor() as own:
            return row_counts(own)
    counts = {}
    for name in table_names(cursor):
        # A name from the catalogue, quoted by the backend: nothing here comes from a user.
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
        counts[name] = int(cursor.fetchone()[0])
    return counts


def export_snapshot(cursor: Any) -> str:
    """PostgreSQL: names this transaction's snapshot, so pg_dump reads exactly what it sees."""
    cursor.execute("SELECT pg_export_snapshot()")
    return str(cursor.fetchone()[0])
