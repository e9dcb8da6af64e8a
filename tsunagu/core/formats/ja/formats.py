"""Japanese: 2026年12月7日, 2026年12月7日(月) 19:44; 2026/12/07 and 2026/12/07 19:44 in tables.

What is not set here (the input formats) comes from Django's own Japanese module."""

DATE_FORMAT = "Y年n月j日"
TIME_FORMAT = "H:i"
# The weekday in half-width parentheses, as Japanese schedules print it.
DATETIME_FORMAT = "Y年n月j日(D) H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
SHORT_DATE_FORMAT = "Y/m/d"
SHORT_DATETIME_FORMAT = "Y/m/d H:i"
