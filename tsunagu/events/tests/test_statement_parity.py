"""The events' hand-written statements (queries.py) against their ORM twin
(access.filter_events_for): for every role of the two-network world, and for members whose
status or role changed, the same events, not one more or fewer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.events.access import filter_events_for, visible_events
from tsunagu.events.listing import read_events_page
from tsunagu.events.models import Audience, Event, Organiser
from tsunagu.events.queries import reader_event
from tsunagu.events.tests.helpers import make_event
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]

ROLES = ("operator_a", "supporter_a", "employee_a", "alumni_a", "operator_b", "alumni_b")


def events_of_every_kind(world: World) -> list[Event]:
    """Each audience upcoming and past, in both networks, and an employees' event organised by
    an alumna (she sees it, although its audience excludes her)."""
    now = timezone.now()
    events = []
    for network in (world.net_a, world.net_b):
        for audience in Audience.values:
            for days in (7, -7):
                events.append(
                    make_event(
                        network,
                        title=f"{audience} {days}",
                        audience=audience,
                        starts_at=now + timedelta(days=days),
                    )
                )
    organised = make_event(world.net_a, title="社員向け・OG運営", audience=Audience.EMPLOYEES)
    with scopes_disabled():
        Organiser.objects.create(network=world.net_a, event=organised, membership=world.alumni_a)
    return [*events, organised]


def orm_visible(member: Membership) -> set[int]:
    with scopes_disabled():
        return set(filter_events_for(member, Event.objects.all()).values_list("pk", flat=True))


def statement_visible(member: Membership, events: list[Event]) -> set[int]:
    return {e.pk for e in events if reader_event(member, e.pk, visible_events(member).rule())}


def listed(member: Membership) -> set[int]:
    now = timezone.now()
    return {
        row.pk
        for past in (False, True)
        for row in read_events_page(member, now=now, past=past, limit=100)
    }


def assert_parity(member: Membership, events: list[Event]) -> None:
    expected = orm_visible(member)
    assert statement_visible(member, events) == expected
    assert listed(member) == expected


def test_every_role_reads_the_same_events_by_statement_as_by_the_orm(world: World) -> None:
    events = events_of_every_kind(world)
    for name in ROLES:
        member = getattr(world, name)
        assert_parity(member, events)
    # What each role sees, so that parity is not two empty sets.
    titles = {
        name: {e.title for e in events if e.pk in orm_visible(getattr(world, name))}
        for name in ("operator_a", "employee_a", "alumni_a")
    }
    assert len(titles["operator_a"]) == 2 * len(Audience.values) + 1
    assert "employees 7" in titles["employee_a"] and "alumni 7" not in titles["employee_a"]
    assert "社員向け・OG運営" in titles["alumni_a"] and "employees 7" not in titles["alumni_a"]


def test_after_a_change_of_role_or_status_both_agree_at_once(world: World) -> None:
    events = events_of_every_kind(world)
    member = world.operator_a
    for role, status in (
        (Role.EMPLOYEE, Status.ACTIVE),
        (Role.OPERATOR, Status.SUSPENDED),
        (Role.ALUMNI, Status.ACTIVE),
    ):
        with scopes_disabled():
            Membership.objects.filter(pk=member.pk).update(role=role, status=status)
            member.refresh_from_db()
        assert_parity(member, events)
    suspended = world.alumni_a
    with scopes_disabled():
        Membership.objects.filter(pk=suspended.pk).update(status=Status.SUSPENDED)
        suspended.refresh_from_db()
    assert_parity(suspended, events)
