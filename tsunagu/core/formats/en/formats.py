"""English: 7 Dec 2026, Mon 7 Dec 2026, 19:44; 2026-12-07 and 2026-12-07 19:44 in tables (the
members of a Japanese company's network read English from many countries: no month-first dates).

What is not set here (the input formats) comes from Django's own English module."""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "D j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
