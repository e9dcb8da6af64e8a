"""Dates as HR rosters write them.

2018/4/1, 2018年4月1日, 平成30年4月1日, H30.4.1, 令和元年5月1日 and the like.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

# (name, letter, first day, last day)
ERAS = [
    ("令和", "R", datetime.date(2019, 5, 1), None),
    ("平成", "H", datetime.date(1989, 1, 8), datetime.date(2019, 4, 30)),
    ("昭和", "S", datetime.date(1926, 12, 25), datetime.date(1989, 1, 7)),
    ("大正", "T", datetime.date(1912, 7, 30), datetime.date(1926, 12, 24)),
]
_ERA_BY_KEY = {name: era for era in ERAS for name in (era[0], era[1])}

_WESTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ERA = re.compile(
    r"^(令和|平成|昭和|大正|[RHST])\s*(元|\d{1,2})\s*[-/.年]\s*(\d{1,2})\s*"
    r"(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$"
)


class DateError(ValueError):
    pass


def parse_date(value: object) -> datetime.date | None:
    """Reads one cell. Empty gives None; anything unreadable raises DateError."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip().upper()
    if not text:
        return None
    text = re.sub(r"\s*\d{1,2}:\d{2}(:\d{2})?$", "", text)  # a time Excel added
    if m := _WESTERN.match(text):
        return _make(int(m[1]), int(m[2]), int(m[3] or 1))
    if m := _COMPACT.match(text):
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if m := _ERA.match(text):
        name, first, last = _ERA_BY_KEY[m[1]][0], _ERA_BY_KEY[m[1]][2], _ERA_BY_KEY[m[1]][3]
        year_in_era = 1 if m[2] == "元" else int(m[2])
        if year_in_era < 1:
            raise DateError(text)
        day = _make(first.year + year_in_era - 1, int(m[3]), int(m[4] or 1))
        if m[4] is None and (day.year, day.month) == (first.year, first.month):
            day = first  # 平成元年1月: the era's first month starts on its first day
        if day < first or (last is not None and day > last):
            raise DateError(f"{name}: {text}")
        return day
    raise DateError(text)


def _make(year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DateError(f"{year}-{month}-{day}") from None
