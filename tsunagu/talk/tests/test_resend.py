"""A message sent again while its first sending is still being stored (the acknowledgement was
slow, the client resent it): on real PostgreSQL, the two requests meet at the room's row lock.

The test holds that lock itself, so both sendings have passed the first look for the client id
before either can store anything: the race happens every run, not by chance timing. Two things
each keep the message to one: the second look once the lock is taken, and the unique (sender,
client id) constraint behind it, whose error is answered with the stored message."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django_scopes import scope, scopes_disabled

from tsunagu.talk.actions import do_send_message
from tsunagu.talk.models import Message, Room
from tsunagu.talk.tests.helpers import default_room, post
from tsunagu.testing.world import World, build_world


@pytest.fixture
def postgres_transactional(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of `make test`")


def sessions_waiting_for_a_lock() -> int:
    """Asked on a connection of its own: the test's is inside the transaction holding the lock,
    where PostgreSQL would keep showing the activity it saw first."""
    observer = connections.create_connection("default")
    try:
        with observer.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return int(cursor.fetchone()[0])
    finally:
        observer.close()


def wait_for_waiting_sessions(count: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while sessions_waiting_for_a_lock() < count:
        assert time.monotonic() < deadline, f"{count} sendings never queued on the room's lock"
        time.sleep(0.05)


@pytest.mark.postgres
def test_a_message_sent_twice_at_once_is_stored_once_and_both_get_its_number(
    postgres_transactional: None,
) -> None:
    world: World = build_world()
    room = default_room(world.net_a)
    post(world.employee_a, room, "おはようございます")  # seq 1
    results: list[tuple[Message, bool]] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            with scope(network=world.net_a):
                results.append(
                    do_send_message(
                        world.alumni_a, room, body="会議室は 12 階です", client_id="resent-1"
                    )
                )
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    senders = [threading.Thread(target=send) for _ in range(2)]
    with transaction.atomic(), scopes_disabled():
        Room.objects.select_for_update().get(pk=room.pk)
        for sender in senders:
            sender.start()
        # Both have looked for "resent-1", found nothing, and now wait to number the message.
        wait_for_waiting_sessions(2)
    for sender in senders:
        sender.join(timeout=30)

    assert errors == []
    assert len(results) == 2
    (first, first_new), (second, second_new) = results
    assert sorted([first_new, second_new]) == [False, True]  # one stored it, one was told so
    assert first.pk == second.pk and first.seq == second.seq == 2
    with scopes_disabled():
        stored = list(Message.objects.filter(room=room).values_list("seq", "client_id"))
    assert sorted(stored)[1:] == [(2, "resent-1")]
    # And no number was used up by the duplicate: the next message follows on.
    assert post(world.employee_a, room, "了解です").seq == 3
