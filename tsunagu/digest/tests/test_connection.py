"""A chunk sends its digests over one connection to a real mail server: fewer connections than
mails, a refused or delayed recipient stops nobody else, a server that lets go of the
connection gets the rest on a new one, and nobody gets two."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_scopes import scopes_disabled

from tsunagu.accounts.models import UndeliverableAddress
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.core.testing.mail import MailServer, site_mail_server
from tsunagu.digest import tasks
from tsunagu.digest.models import DigestSent, DigestState
from tsunagu.events.tests.helpers import make_event
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World

from .helpers import any_hour, settled

pytestmark = pytest.mark.usefixtures("any_hour", "settled")
__all__ = ["any_hour", "settled"]


@pytest.fixture
def server(settings: Any) -> Iterator[MailServer]:
    with site_mail_server(settings) as server:
        server.start()
        yield server


@pytest.fixture
def waiting(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The retries a chunk queued for the digests the server did not take yet."""
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        tasks.retry_digest, "apply_async", lambda args, countdown: queued.append(args)
    )
    return queued


def crowd(world: World, count: int) -> list[str]:
    """``count`` more members of network A, and an event new to all of them."""
    addresses = [f"kaiin{i:03d}@example.jp" for i in range(count)]
    for i, address in enumerate(addresses):
        make_member(world.net_a, make_user(email=address, name=f"会員 {i:03d}"))
    with scopes_disabled():
        first = Membership.objects.order_by("created_at").first()
        Membership.objects.update(created_at=first.created_at)
    make_event(world.net_a, title="秋の交流会")
    return addresses


def chunk(world: World) -> dict[str, int]:
    with scopes_disabled():
        ids = list(Membership.objects.filter(network=world.net_a).values_list("user_id", flat=True))
    return tasks.send_digest_chunk(world.net_a.pk, ids)


def states() -> dict[str, str]:
    with scopes_disabled():
        return dict(DigestSent.objects.values_list("user__email", "state"))


def test_a_chunk_sends_every_digest_over_one_connection(world: World, server: MailServer) -> None:
    crowd(world, 30)
    assert chunk(world) == {"sent": 34}
    assert sum(server.delivered().values()) == 34
    assert set(server.delivered().values()) == {1}
    assert server.connections == 1


def test_a_recipient_refused_mid_chunk_does_not_stop_the_others(
    world: World, server: MailServer, waiting: list[tuple[Any, ...]]
) -> None:
    addresses = crowd(world, 30)
    gone, busy = addresses[12], addresses[20]
    server.refuse(gone, "550 5.1.1 <gone>: Recipient address rejected: User unknown")
    server.refuse(busy, "452 4.2.2 Mailbox full, try again later")
    counts = chunk(world)
    assert counts == {"sent": 32, "failed": 1, "waiting": 1}
    delivered = server.delivered()
    assert gone not in delivered and busy not in delivered
    assert sum(delivered.values()) == 32 and set(delivered.values()) == {1}
    assert server.connections == 1  # the refusals reset the conversation, not the connection
    assert states()[gone] == DigestState.FAILED
    assert states()[busy] == DigestState.PENDING and len(waiting) == 1
    with scopes_disabled():
        assert UndeliverableAddress.objects.filter(email=gone).exists()
        assert not UndeliverableAddress.objects.filter(email=busy).exists()


@pytest.mark.parametrize("reply", [None, "421 4.7.0 Too many messages on this connection"])
def test_a_server_that_lets_go_of_the_connection_gets_the_rest_on_a_new_one(
    world: World, server: MailServer, reply: str | None
) -> None:
    crowd(world, 30)
    server.let_go_after(10, reply)
    assert chunk(world) == {"sent": 34}
    delivered = server.delivered()
    assert sum(delivered.values()) == 34 and set(delivered.values()) == {1}
    assert server.connections == 4


def test_a_chunk_restarted_after_a_dropped_connection_sends_no_one_twice(
    world: World, server: MailServer
) -> None:
    """The broker hands the chunk to a second worker too: the rows decide, not the connection."""
    crowd(world, 30)
    server.let_go_after(7)
    chunk(world)
    chunk(world)
    delivered = server.delivered()
    assert sum(delivered.values()) == 34 and set(delivered.values()) == {1}


def test_a_server_that_refuses_to_talk_is_asked_once_per_chunk(
    world: World, server: MailServer, waiting: list[tuple[Any, ...]]
) -> None:
    crowd(world, 10)
    server.greeting = "554 5.3.2 Service not available"
    assert chunk(world) == {"waiting": 14}
    assert server.connections == 1
    assert len(waiting) == 14
    with scopes_disabled():
        rows = DigestSent.objects.all()
        assert {r.state for r in rows} == {DigestState.PENDING}
        assert all("554" in r.error and r.sending_since is None for r in rows)
    # Later the server talks again: each waiting digest goes once.
    server.greeting = None
    for network_id, row_id in waiting:
        tasks.retry_digest(network_id, row_id)
    assert sum(server.delivered().values()) == 14
