"""Tsunagu's named date and number formats per language (FORMAT_MODULE_PATH): templates write
``|date:"DATETIME_FORMAT"``, never a format of their own. docs/style-ja.md says which name is
for what."""

from __future__ import annotations

from django.utils.formats import get_format

# The letters of Django's date formats that the named formats use, as strftime writes them.
_STRFTIME = {"Y": "%Y", "m": "%m", "d": "%d", "H": "%H", "i": "%M"}


def strftime_pattern(name: str) -> str:
    """The current language's named format (such as ``"SHORT_DATETIME_FORMAT"``) as a strftime
    pattern, for the few places that format many times per page without a template filter (the
    home feed). Only numeric letters are supported: a name that uses others is refused."""
    django_format = str(get_format(name))
    unknown = {c for c in django_format if c.isascii() and c.isalpha() and c not in _STRFTIME}
    if unknown:
        raise ValueError(f"{name} ({django_format}) uses {sorted(unknown)}")
    return "".join(_STRFTIME.get(c, c.replace("%", "%%")) for c in django_format)
