"""Copying the database out of an instance and into a new one, on PostgreSQL and on SQLite."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

from . import queries

MEMBERS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """Something the operator must put right; the message says what."""


@dataclass
class Dump:
    vendor: str
    member: str  # its name in the archive
    path: Path
    tables: dict[str, int]


def vendor() -> str:
    if connection.vendor not in MEMBERS:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
    return connection.vendor


def name() -> str:
    return str(connection.settings_dict["NAME"])


def dump(staging: Path) -> Dump:
    """The database as one file in ``staging``, with the row count of every table it holds."""
    kind = vendor()
    path = staging / MEMBERS[kind]
    tables = _dump_postgresql(path) if kind == "postgresql" else _dump_sqlite(path)
    return Dump(kind, MEMBERS[kind], path, tables)


def _dump_sqlite(path: Path) -> dict[str, int]:
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        # Read through SQLite, not from the file: committed writes may still sit in the WAL.
        connection.connection.backup(copy)
        queries.self_contained(copy)  # one file, no -wal beside it
        return queries.row_counts(copy.cursor())
    finally:
        copy.close()


def _dump_postgresql(path: Path) -> dict[str, int]:
    import psycopg

    # A connection of our own, whatever transaction Django's is in: the counts and pg_dump share
    # its snapshot, so the manifest describes exactly the rows of the dump.
    raw = psycopg.connect(**connection.get_connection_params())
    try:
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        raw.read_only = True
        with raw.cursor() as cursor:
            snapshot = queries.export_snapshot(cursor)
            _pg(
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={path}",
                f"--dbname={name()}",
            )
            return queries.row_counts(cursor)
    finally:
        raw.close()


def check_empty_target(archived_vendor: str) -> None:
    """Restoring builds a new instance: the configured database must be of the archive's kind and
    hold no table yet."""
    kind = vendor()
    if kind != archived_vendor:
        raise BackupError(
            f"This archive holds a {archived_vendor} database, but DATABASE_URL names a {kind} "
            f"one: restore it into a new {archived_vendor} database."
        )
    tables = queries.table_names()
    if tables:
        raise BackupError(
            f"The database {name()} already has {len(tables)} tables: restore into a new, empty "
            "database (create it first on PostgreSQL)."
        )


def restore(kind: str, path: Path) -> dict[str, int]:
    """Loads a dumped database into the configured one; returns the row counts it then holds."""
    if kind == "postgresql":
        _pg(
            "pg_restore",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={name()}",
            str(path),
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            # Into Django's own connection: its file, its settings (WAL, busy timeout).
            source.backup(connection.connection)
        except sqlite3.Error as error:
            raise BackupError(f"Could not write {name()}: {error}") from None
        finally:
            source.close()
    return queries.row_counts()


def _pg(program: str, *args: str) -> None:
    """Runs a PostgreSQL client tool on the configured database; the password goes through the
    environment, never the command line."""
    from django.db.backends.postgresql.client import DatabaseClient

    settings_dict: dict[str, Any] = connection.settings_dict
    _psql, secrets = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(secrets or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    try:
        result = subprocess.run(  # noqa: S603 - a fixed program; arguments are ours
            [program, *args], env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupError(
            f"{program} is not installed: install the PostgreSQL client tools (postgresql-client) "
            "of the server's version or newer."
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip()}")
