"""Helpers for statements written by hand (``connection.cursor()``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def aware(value: Any) -> datetime:
    """A datetime column's value as the ORM would give it: SQLite returns naive UTC (or text),
    PostgreSQL aware datetimes."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value
