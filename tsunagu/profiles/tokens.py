"""Search keys that find one- and two-character Japanese words through a real index.

A trigram index cannot answer 「人事」 or 「田」: they are shorter than a trigram (PostgreSQL's
pg_trgm falls back to reading every row, and SQLite's FTS5 trigram tokenizer misses multi-byte
``LIKE`` patterns under three characters). So each searchable text is cut into its characters and
character pairs, and every character or pair becomes a number, its key:

- a word of one or two characters is one key, and a row has it exactly when the text contains it;
- a longer word is all its pairs, which finds a superset, narrowed by ``LIKE`` on the text.

A pair of characters of the Basic Multilingual Plane fits in 32 bits (a lone character is the pair
of nothing and itself), so keys are exact and small: PostgreSQL stores them as an ``int4[]``
with a GIN index (about 4 bytes a key, so rows stay uncompressed and quick to test), SQLite as
``k<number>`` words mirrored into an FTS5 table. A character outside that plane (rare kanji,
emoji) shares its key with others, so words holding one are always checked with ``LIKE``.

Filters have keys too (``facet_*``): a role, a leaving year, an industry, a skill.
"""

from __future__ import annotations

import zlib
from typing import Any

from django.db import models
from django.db.models import Lookup

_SIGNED = 1 << 31  # keys are unsigned 32-bit numbers, stored shifted into PostgreSQL's int4


def _code(ch: str) -> tuple[int, bool]:
    point = ord(ch)
    if point <= 0xFFFF:
        return point, True
    return 0xD800 + point % 0x800, False  # the surrogate block never holds a real character


def gram_key(gram: str) -> tuple[int, bool]:
    """The key of one character or pair, and whether it stands for that gram alone."""
    codes = [_code(ch) for ch in gram]
    if len(codes) == 1:
        return codes[0][0], codes[0][1]
    (first, exact_first), (second, exact_second) = codes
    return first << 16 | second, exact_first and exact_second


def text_keys(text: str) -> set[int]:
    """The keys of the characters and character pairs of each word of a normalised text."""
    keys: set[int] = set()
    for word in text.split():
        keys.update(gram_key(ch)[0] for ch in word)
        keys.update(gram_key(word[i : i + 2])[0] for i in range(len(word) - 1))
    return keys


def word_keys(word: str) -> tuple[set[int], bool]:
    """Keys that every text containing ``word`` has, and whether they alone prove it does."""
    if len(word) <= 2:
        one, exact = gram_key(word)
        return {one}, exact
    return {gram_key(word[i : i + 2])[0] for i in range(len(word) - 1)}, False


ROLE_CODES = {"alumni": 1, "employee": 2, "supporter": 3, "operator": 4}


def facet_role(role: str) -> int:
    return ROLE_CODES.get(role, 9)


def facet_year(year: int) -> int:
    return 10_000 + year


def facet_skill(tag_id: int) -> int:
    return 1_000_000 + tag_id


def facet_industry(normalized: str) -> int:
    return _SIGNED + zlib.crc32(normalized.encode()) % (1 << 30)


class KeysField(models.Field):
    """A set of keys: ``int4[]`` on PostgreSQL, ``k<number>`` words in ``text`` on SQLite."""

    description = "Search keys"

    def db_type(self, connection: Any) -> str:
        return "int4[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        keys = sorted(set(value))
        if connection.vendor == "postgresql":
            return [k - _SIGNED for k in keys]
        return " ".join(f"k{k}" for k in keys)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[int] | None:
        if value is None:
            return None
        if isinstance(value, list):
            return [k + _SIGNED for k in value]
        return [int(word[1:]) for word in value.split()]

    def to_python(self, value: Any) -> list[int] | None:
        if value is None or isinstance(value, list):
            return value
        return [int(word[1:]) for word in str(value).split()]


class _KeysLookup(Lookup):
    """``keys__has_all=[...]`` and ``keys__has_any=[...]`` through each database's index."""

    operator = ""
    joiner = ""

    def get_prep_lookup(self) -> list[int]:
        return sorted(set(self.rhs))

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        keys = [k - _SIGNED for k in self.rhs]
        return f"{lhs} {self.operator} %s::int4[]", [*params, keys]

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        quote = connection.ops.quote_name
        meta = self.lhs.target.model._meta
        row = f"{quote(self.lhs.alias)}.{quote(meta.pk.column)}"
        fts = quote(meta.db_table + "_fts")
        words = f" {self.joiner} ".join(f"k{k}" for k in self.rhs)
        match = f"{self.lhs.target.column} : ({words})"
        sql = f"{row} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)"  # noqa: S608 - our names
        return sql, [match]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        raise NotImplementedError("search keys need PostgreSQL or SQLite")


@KeysField.register_lookup
class HasAll(_KeysLookup):
    lookup_name = "has_all"
    operator = "@>"
    joiner = "AND"


@KeysField.register_lookup
class HasAny(_KeysLookup):
    lookup_name = "has_any"
    operator = "&&"
    joiner = "OR"


def fts_sql(table: str, columns: list[str], rowid: str) -> list[str]:
    """An external-content FTS5 table mirroring ``table.columns``, kept in step by triggers.

    The names are the migration's own constants, never input.
    """
    fts = f"{table}_fts"
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    add = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.{rowid}, {new});"  # noqa: S608
    remove = (
        f"INSERT INTO {fts}({fts}, rowid, {names}) "  # noqa: S608
        f"VALUES ('delete', old.{rowid}, {old});"
    )
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', "
        f"content_rowid='{rowid}', tokenize='ascii')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} BEGIN {remove} {add} END",
    ]
