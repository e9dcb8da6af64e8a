"""Helpers for statements written by hand (``connection.cursor()``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .converters import parse_id


def aware(value: Any) -> datetime:
    """A datetime column's value as the ORM would give it: SQLite returns naive UTC (or text),
    PostgreSQL aware datetimes."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def object_id(value: object) -> int:
    """An object id from the URL for a hand-written statement; 404 for anything that is not a
    positive 64-bit integer, as the ORM's lookup would give."""
    pk = parse_id(value)
    if pk is None:
        raise Http404
    return pk
