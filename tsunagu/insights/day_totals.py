"""The totals of each day that is over, for the warnings' windows of 90 and 180 days.

The warnings look at the office's share of posts in the last 90 days and at the repeat rate of
events in the last 90 days against the 90 before. Counting them from the contributions read
some 80,000 rows of a large network's index and probed it once per attendance; the days that
are over are stored instead (``rollups.DayTotals``, zeros included, so a stored range is known
to be whole), and only today is counted from the record. A range not (wholly) stored is counted
and stored on the spot; ``fresh`` (the nightly task, the monthly letter, ``refresh_insights``)
counts it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django_scopes import scope

from tsunagu.tenancy.models import Role

from .models import POST_KINDS, Contribution, ContributionKind
from .rollups import DayTotals

KEPT = timedelta(days=200)  # the warnings reach 180 days back


@dataclass
class Day:
    posts: int = 0
    office_posts: int = 0
    attendance: int = 0
    repeaters: int = 0


def count_days(network_id: int, first: date, last: date) -> dict[date, Day]:
    """Each day from ``first`` to ``last`` counted from the contributions (two grouped
    queries), days without any included."""
    days = {first + timedelta(days=n): Day() for n in range((last - first).days + 1)}
    with scope(network=network_id):
        contributions = Contribution.objects.filter(network_id=network_id)
        # Who starts things: a comment answers a post, and a thread of a thousand replies to
        # one announcement is members taking part, not the office writing everything.
        posts = Q(kind__in=POST_KINDS - {ContributionKind.COMMENT})
        # Counting "day" (never null) lets PostgreSQL read the (network, day, kind, role)
        # index alone; counting "id" would visit every row.
        for row in (
            contributions.filter(day__gte=first, day__lte=last)
            .values("day")
            .annotate(
                posts=Count("day", filter=posts),
                office=Count("day", filter=posts & Q(role=Role.OPERATOR)),
            )
            .order_by()
        ):
            days[row["day"]].posts, days[row["day"]].office_posts = row["posts"], row["office"]
        attended = contributions.filter(kind=ContributionKind.ATTENDANCE)
        earlier = attended.filter(member=OuterRef("member"), day__lt=OuterRef("day"))
        for row in (
            attended.filter(day__gte=first, day__lte=last)
            .annotate(again=Exists(earlier))
            .values("day", "again")
            .annotate(n=Count("day"))
            .order_by()
        ):
            found = days[row["day"]]
            found.attendance += row["n"]
            if row["again"]:
                found.repeaters += row["n"]
    return days


def closed_days(
    network_id: int, first: date, last: date, *, fresh: bool = False
) -> dict[date, Day]:
    """Each day from ``first`` to ``last`` (all over), as stored; counted and stored when the
    range is not wholly stored, or when ``fresh``."""
    if last < first:
        return {}
    wanted = (last - first).days + 1
    with scope(network=network_id):
        stored = DayTotals.objects.filter(network_id=network_id, day__gte=first, day__lte=last)
        if not fresh:
            rows = list(
                stored.values_list("day", "posts", "office_posts", "attendance", "repeaters")
            )
            if len(rows) == wanted:
                return {row[0]: Day(*row[1:]) for row in rows}
        counted = count_days(network_id, first, last)
        with transaction.atomic():
            DayTotals.objects.bulk_create(
                [
                    DayTotals(
                        network_id=network_id,
                        day=day,
                        posts=totals.posts,
                        office_posts=totals.office_posts,
                        attendance=totals.attendance,
                        repeaters=totals.repeaters,
                    )
                    for day, totals in counted.items()
                ],
                update_conflicts=True,
                unique_fields=["network", "day"],
                update_fields=["posts", "office_posts", "attendance", "repeaters"],
            )
            DayTotals.objects.filter(network_id=network_id, day__lt=last - KEPT).delete()
    return counted


def days(network_id: int, first: date, today: date, *, fresh: bool = False) -> dict[date, Day]:
    """Each day from ``first`` to ``today``: the closed ones stored, today counted."""
    found = closed_days(network_id, first, today - timedelta(days=1), fresh=fresh)
    found.update(count_days(network_id, max(first, today), today))
    return found
