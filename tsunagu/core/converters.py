"""The one pattern of a database id in an address (``<id:thread_id>``).

Django's ``int`` converter takes any run of digits; an id of 20 digits then reaches a query
and overflows SQLite's 64-bit integers (a server error, where PostgreSQL finds nothing). An id
outside 1..2**63-1 names no row on either database, so the address does not match: 404.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """A database id, or None for anything that cannot be one ("abc", "-1", "²", 20 digits)."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None  # longer than any id (and Python reads no integer of over 4,300 digits)
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values: Iterable[object]) -> list[int]:
    """The database ids among ``values`` (a form's checkboxes), without the ones that cannot be."""
    return [pk for pk in map(parse_id, values) if pk is not None]


class IdConverter:
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError("not a database id")  # the pattern does not match
        return number

    def to_url(self, value: int) -> str:
        return str(value)
