"""The events' hand-written statements (queries.py) against their ORM twins (access.VisibleEvents'
``q()``, the registrations read by the ORM): for every role of the two-network world, and for
members whose status or role changed, the same events and the same figures, not one more or
fewer. Each statement runs in its member's network's scope, as the pages run it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.events.access import (
    audience_events,
    audiences_for,
    filter_events_for,
    visible_events,
)
from tsunagu.events.actions import seats_taken
from tsunagu.events.listing import read_events_page
from tsunagu.events.models import (
    Audience,
    Event,
    Organiser,
    Registration,
    RegistrationStatus,
)
from tsunagu.events.queries import Seats, reader_event, seats_and_mine
from tsunagu.events.tests.helpers import make_event
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]

ROLES = (
    "operator_a", "supporter_a", "employee_a", "alumni_a", "operator_b", "supporter_b", "alumni_b",
)  # fmt: skip


@contextmanager
def in_network(member: Membership) -> Iterator[None]:
    with scope(network=member.network):
        yield


def events_of_every_kind(world: World) -> list[Event]:
    """Each audience upcoming and past, in both networks, and an employees' event organised by
    an alumna (she sees it, although its audience excludes her). Every role of both networks
    holds a registration of a different status on some of them."""
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
                        capacity=10,
                    )
                )
    organised = make_event(world.net_a, title="社員向け・OG運営", audience=Audience.EMPLOYEES)
    statuses = list(RegistrationStatus.values)
    with scopes_disabled():
        Organiser.objects.create(network=world.net_a, event=organised, membership=world.alumni_a)
        for i, name in enumerate(ROLES):
            member = getattr(world, name)
            mine = [e for e in (*events, organised) if e.network_id == member.network_id]
            for j, event in enumerate(mine[i % 3 :: 2]):
                Registration.objects.create(
                    network_id=event.network_id,
                    event=event,
                    user=member.user,
                    status=statuses[(i + j) % len(statuses)],
                )
    return [*events, organised]


def orm_visible(member: Membership) -> set[int]:
    with scopes_disabled():
        return set(filter_events_for(member, Event.objects.all()).values_list("pk", flat=True))


def orm_reader_state(member: Membership, event: Event) -> tuple[bool, int, int, str | None]:
    with scopes_disabled():
        registrations = Registration.objects.filter(event=event)
        mine = registrations.filter(user_id=member.user_id).first()
        return (
            Organiser.objects.filter(event=event, membership=member).exists(),
            seats_taken(event),
            registrations.filter(status=RegistrationStatus.WAITLISTED).count(),
            mine.status if mine else None,
        )


def statement_visible(member: Membership, events: list[Event]) -> set[int]:
    """The events reader_event() finds, each checked against the ORM's figures for it."""
    seen = set()
    for event in events:
        with in_network(member) if event.network_id == member.network_id else scopes_disabled():
            found = reader_event(member, event.pk, visible_events(member).rule())
        if found is None:
            continue
        seen.add(found.event.pk)
        assert found.event.title == event.title and found.event.starts_at == event.starts_at
        mine = found.mine.status if found.mine else None
        assert (found.i_organise, found.seats, found.waiting, mine) == orm_reader_state(
            member, event
        )
    return seen


def listed(member: Membership) -> set[int]:
    now = timezone.now()
    with in_network(member):
        return {
            row.pk
            for past in (False, True)
            for row in read_events_page(member, now=now, past=past, limit=100)
        }


def listed_by_audience(member: Membership) -> tuple[set[int], set[int]]:
    """The shared page of the member's audiences: by statement and by the ORM."""
    audiences = sorted(audiences_for(member))
    now = timezone.now()
    with in_network(member):
        by_statement = {
            row.pk
            for past in (False, True)
            for row in read_events_page(member, now=now, past=past, limit=100, audiences=audiences)
        }
    with scopes_disabled():
        by_orm = set(
            Event.objects.filter(
                audience_events(audiences).q(), network_id=member.network_id
            ).values_list("pk", flat=True)
        )
    return by_statement, by_orm


def orm_seats(member: Membership, ids: list[int]) -> dict[int, Seats]:
    """The network's events of ``ids`` with any registration: the places their capacity counts
    (``seats_taken``, every network's members but those with places of their own) and the
    member's own status."""
    with scopes_disabled():
        events = Event.objects.filter(pk__in=ids, network_id=member.network_id)
        having = set(
            Registration.objects.filter(event__in=events).values_list("event_id", flat=True)
        )
        mine = dict(
            Registration.objects.filter(
                event__in=events, user_id=member.user_id, network_id=member.network_id
            ).values_list("event_id", "status")
        )
        return {e.pk: Seats(seats_taken(e), mine.get(e.pk)) for e in events if e.pk in having}


def assert_parity(member: Membership, events: list[Event]) -> None:
    expected = orm_visible(member)
    assert statement_visible(member, events) == expected
    assert listed(member) == expected
    by_statement, by_orm = listed_by_audience(member)
    assert by_statement == by_orm
    # Every event's id, other network's too: the statement keeps to the scope's network.
    ids = [e.pk for e in events]
    with in_network(member):
        found = seats_and_mine(member, ids)
    assert found == orm_seats(member, ids)
    assert all(e.network_id == member.network_id for e in events if e.pk in found)


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
    with in_network(world.alumni_a):
        seats = seats_and_mine(world.alumni_a, [e.pk for e in events])
    assert any(s.taken for s in seats.values()) and any(s.mine for s in seats.values())


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
