"""Capacity under concurrent applications, on real PostgreSQL (row locks are what is tested)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events import actions
from tsunagu.events.models import Event, Registration, RegistrationStatus
from tsunagu.events.tests.helpers import make_event
from tsunagu.tenancy.models import Network

APPLICANTS = 12
CAPACITY = 4


@pytest.fixture
def postgres_transactional(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of `make test`")


def apply_all_at_once(network: Network, event: Event, members: list) -> list[BaseException]:
    barrier = threading.Barrier(len(members))
    errors: list[BaseException] = []

    def apply(member) -> None:
        try:
            barrier.wait()
            with scope(network=network):
                actions.do_register(member, event)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def slow_seat_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widens the window between counting seats and taking one, so a race shows every time."""
    real: Callable[[Event], bool] = actions.has_free_seat

    def slow(event: Event) -> bool:
        free = real(event)
        time.sleep(0.05)
        return free

    monkeypatch.setattr(actions, "has_free_seat", slow)


def setup_event() -> tuple[Network, Event, list]:
    from tsunagu.core.testing.factories import make_network

    network = make_network(slug="concurrency", name="同時申し込み テスト")
    event = make_event(network, title="定員4名の勉強会", capacity=CAPACITY)
    members = [make_member(network, make_user(name=f"応募者 {i}")) for i in range(APPLICANTS)]
    return network, event, members


@pytest.mark.postgres
def test_concurrent_applications_never_exceed_capacity(
    postgres_transactional: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_seat_count(monkeypatch)
    network, event, members = setup_event()
    errors = apply_all_at_once(network, event, members)
    assert not errors, errors
    with scopes_disabled():
        regs = list(Registration.objects.filter(event=event).order_by("applied_at", "id"))
    confirmed = [r for r in regs if r.status == RegistrationStatus.CONFIRMED]
    waiting = [r for r in regs if r.status == RegistrationStatus.WAITLISTED]
    assert len(confirmed) == CAPACITY
    assert len(waiting) == APPLICANTS - CAPACITY
    # Places went in the order the applications took the lock: every confirmed one came first.
    assert max(r.applied_at for r in confirmed) <= min(r.applied_at for r in waiting)


@pytest.mark.postgres
def test_without_the_lock_the_same_applications_overbook(
    postgres_transactional: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proves the test above can fail: with the row lock removed, places are oversold."""
    slow_seat_count(monkeypatch)
    monkeypatch.setattr(actions, "lock_event", lambda event: Event.objects.get(pk=event.pk))
    network, event, members = setup_event()
    apply_all_at_once(network, event, members)
    with scopes_disabled():
        confirmed = Registration.objects.filter(
            event=event, status=RegistrationStatus.CONFIRMED
        ).count()
    assert confirmed > CAPACITY
