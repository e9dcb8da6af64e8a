"""Reading the insights tables in tests, outside any network scope."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django_scopes import scopes_disabled

from tsunagu.insights.models import ActivityDay, Contribution
from tsunagu.tenancy.models import Membership

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)  # type: ignore[misc]


def days_of(member: Membership) -> list[tuple[date, bool, bool]]:
    """(day, visited, posted) of the member's rows, oldest first."""
    with scopes_disabled():
        rows = ActivityDay.objects.filter(member=member).order_by("day")
        return [(row.day, row.visited, row.posted) for row in rows]


def contributions_of(member: Membership) -> list[tuple[str, str, str]]:
    """(kind, source, role) of the member's contributions, oldest first."""
    with scopes_disabled():
        rows = Contribution.objects.filter(member=member).order_by("created_at", "id")
        return list(rows.values_list("kind", "source", "role"))
