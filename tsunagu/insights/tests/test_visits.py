"""A member's day: written once at the throttled point that notes their visit, in Tokyo days."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tsunagu.tenancy.actions import do_note_seen
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World

from .helpers import days_of, tokyo

pytestmark = pytest.mark.django_db


def insights_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "insights_" in q["sql"] and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]


def visit(member: Membership, moment: datetime) -> CaptureQueriesContext:
    """Notes the member's visit at ``moment``; returns the queries it made."""
    with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as queries:
        do_note_seen(member.pk)
    return queries


def test_the_first_visit_of_a_day_writes_one_row_and_later_visits_write_nothing(
    world: World,
) -> None:
    member = world.alumni_a
    first = visit(member, tokyo(2026, 3, 2, 10, 0))
    assert days_of(member) == [(date(2026, 3, 2), True, False)]
    assert len(insights_writes(first)) == 1

    # Five minutes later (most page views): the throttle answers, as before insights existed.
    soon = visit(member, tokyo(2026, 3, 2, 10, 5))
    assert len(soon.captured_queries) == 1
    assert insights_writes(soon) == []

    # Past the quarter hour: the day is looked up, and nothing is written.
    later = visit(member, tokyo(2026, 3, 2, 18, 0))
    assert len(later.captured_queries) == 2
    assert insights_writes(later) == []
    assert days_of(member) == [(date(2026, 3, 2), True, False)]


def test_the_first_visit_after_tokyo_midnight_starts_a_new_day_even_minutes_later(
    world: World,
) -> None:
    member = world.alumni_a
    with time_machine.travel(tokyo(2026, 3, 2, 23, 55), tick=False):
        do_note_seen(member.pk)
    with time_machine.travel(tokyo(2026, 3, 3, 0, 5), tick=False):  # within the quarter hour
        do_note_seen(member.pk)
    assert days_of(member) == [(date(2026, 3, 2), True, False), (date(2026, 3, 3), True, False)]


def test_the_day_ends_at_midnight_in_tokyo_not_in_utc(world: World) -> None:
    member = world.alumni_a
    # 14:50 and 15:20 UTC on 1 March: the same UTC day, but 23:50 and 00:20 in Tokyo.
    with time_machine.travel("2026-03-01T14:50:00Z", tick=False):
        do_note_seen(member.pk)
    with time_machine.travel("2026-03-01T15:20:00Z", tick=False):
        do_note_seen(member.pk)
    # 16:00 UTC on 2 March is 01:00 on 3 March in Tokyo.
    with time_machine.travel("2026-03-02T16:00:00Z", tick=False):
        do_note_seen(member.pk)
    assert [day for day, _visited, _posted in days_of(member)] == [
        date(2026, 3, 1),
        date(2026, 3, 2),
        date(2026, 3, 3),
    ]


def test_the_members_own_display_zone_does_not_move_the_networks_day(world: World) -> None:
    member = world.alumni_a
    timezone.activate(ZoneInfo("America/New_York"))  # as UserTimeZoneMiddleware does
    try:
        with time_machine.travel(tokyo(2026, 3, 2, 9, 0), tick=False):  # 1 March in New York
            do_note_seen(member.pk)
    finally:
        timezone.deactivate()
    assert days_of(member) == [(date(2026, 3, 2), True, False)]


def test_logging_in_records_the_day_in_each_network_of_the_member(world: World) -> None:
    from tsunagu.core.testing.factories import make_member

    also_b = make_member(world.net_b, world.alumni_a.user)
    with time_machine.travel(tokyo(2026, 3, 2, 8, 0), tick=False):
        world.client(world.alumni_a)
    assert days_of(world.alumni_a) == [(date(2026, 3, 2), True, False)]
    assert days_of(also_b) == [(date(2026, 3, 2), True, False)]
    assert days_of(world.alumni_b) == []
