"""The named date formats write dates as docs/style-ja.md shows them, in both languages."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation
from django.utils.formats import date_format

from tsunagu.core.formats import strftime_pattern

WHEN = datetime.datetime(2026, 12, 7, 19, 44)  # a Monday

EXPECTED = {
    "ja": {
        "DATE_FORMAT": "2026年12月7日",
        "DATETIME_FORMAT": "2026年12月7日(月) 19:44",
        "SHORT_DATE_FORMAT": "2026/12/07",
        "SHORT_DATETIME_FORMAT": "2026/12/07 19:44",
        "YEAR_MONTH_FORMAT": "2026年12月",
        "MONTH_DAY_FORMAT": "12月7日",
        "TIME_FORMAT": "19:44",
    },
    "en": {
        "DATE_FORMAT": "7 Dec 2026",
        "DATETIME_FORMAT": "Mon 7 Dec 2026, 19:44",
        "SHORT_DATE_FORMAT": "2026-12-07",
        "SHORT_DATETIME_FORMAT": "2026-12-07 19:44",
        "YEAR_MONTH_FORMAT": "December 2026",
        "MONTH_DAY_FORMAT": "7 December",
        "TIME_FORMAT": "19:44",
    },
}


@pytest.mark.parametrize("language", EXPECTED)
def test_named_formats_write_dates_as_the_style_sheet_says(language: str) -> None:
    with translation.override(language):
        written = {name: date_format(WHEN, name) for name in EXPECTED[language]}
    assert written == EXPECTED[language]


@pytest.mark.parametrize(
    ("language", "pattern"), [("ja", "%Y/%m/%d %H:%M"), ("en", "%Y-%m-%d %H:%M")]
)
def test_the_feed_writes_times_as_the_short_format_does(language: str, pattern: str) -> None:
    with translation.override(language):
        assert strftime_pattern("SHORT_DATETIME_FORMAT") == pattern
        assert WHEN.strftime(pattern) == date_format(WHEN, "SHORT_DATETIME_FORMAT")


def test_a_format_with_letters_strftime_is_not_given_is_refused() -> None:
    with translation.override("ja"), pytest.raises(ValueError):
        strftime_pattern("DATETIME_FORMAT")  # its weekday
