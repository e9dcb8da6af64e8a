"""Invitations against a real mail server that is down, then refuses one address: each
invitation waits and is tried again on its own, and operators see what the server answered."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.accounts.models import UndeliverableAddress
from tsunagu.core.testing.mail import MailServer, site_mail_server, task_worker, wait_until
from tsunagu.onboarding import actions
from tsunagu.onboarding.models import Invitation, InvitationStatus
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db(transaction=True)
ONE_BY_ONE = "tsunagu.onboarding.tasks.send_invitation"
PAGE = "/n/mitsuba-a/manage/invitations/"


@pytest.fixture
def server(settings: Any) -> Iterator[MailServer]:
    with site_mail_server(settings) as server:
        yield server


def invite(world: World, *addresses: str) -> list[Invitation]:
    with scopes_disabled():
        people = [
            Invitation.objects.create(network=world.net_a, email=a, name=f"招待 {i}")
            for i, a in enumerate(addresses)
        ]
    with scope(network=world.net_a):
        actions.do_send_invitations(world.operator_a, people)
    return people


def statuses() -> dict[str, tuple[str, str]]:
    with scopes_disabled():
        return {i.email: (i.status, i.error) for i in Invitation.objects.all()}


def row_of(page: str, address: str) -> str:
    """The person's row of the invitations table (the mail's preview above it names them too)."""
    table = page[page.index("<tbody>") :]
    return table[table.index(address) :].split("</tr>")[0]


def test_invitations_wait_for_the_server_and_a_refused_address_fails_alone(
    world: World, server: MailServer, settings: Any
) -> None:
    addresses = [f"leaver{i}@example.jp" for i in range(5)]
    bounce = addresses[2]
    operator = world.client(world.operator_a)
    with task_worker() as worker:
        people = invite(world, *addresses)

        def tried_again() -> bool:
            retries = worker.retries_of(ONE_BY_ONE)
            return all(retries.get((world.net_a.pk, p.pk, False), 0) >= 1 for p in people)

        wait_until(tried_again, what="every invitation was tried again")
        # Still being sent, with the reason it waits; nothing failed.
        page = operator.get(PAGE).content.decode()
        for address in addresses:
            assert "Connection refused" in row_of(page, address)
        assert {s for s, _e in statuses().values()} == {InvitationStatus.QUEUED}

        server.refuse(bounce, "550 5.1.1 <leaver2@example.jp>: User unknown", times=1)
        server.start()
        wait_until(
            lambda: all(s in ("sent", "failed") for s, _e in statuses().values()),
            what="every invitation was answered",
        )
    assert server.delivered() == Counter({a: 1 for a in addresses if a != bounce})
    found = statuses()
    assert found[bounce] == ("failed", "550 5.1.1 <leaver2@example.jp>: User unknown")
    assert all(found[a] == ("sent", "") for a in addresses if a != bounce)
    assert UndeliverableAddress.objects.get().email == bounce
    page = operator.get(PAGE + "?status=failed").content.decode()
    assert "550 5.1.1" in row_of(page, bounce)

    # The person fixed their mailbox; the operator sends again (without a broker, as embedded
    # sites do): it goes, and the address is no longer marked.
    invitation = next(p for p in people if p.email == bounce)
    operator.post(f"{PAGE}{invitation.pk}/", {"action": "send"})
    assert statuses()[bounce] == ("sent", "")
    assert server.delivered()[bounce] == 1
    assert not UndeliverableAddress.objects.exists()


def test_an_invitation_fails_after_its_last_try(world: World, server: MailServer) -> None:
    with task_worker(retries=2) as worker:
        [person] = invite(world, "patient@example.jp")
        wait_until(lambda: statuses()["patient@example.jp"][0] == "failed", what="it gave up")
    assert worker.retries_of(ONE_BY_ONE) == {(world.net_a.pk, person.pk, False): 2}
    assert "Connection refused" in statuses()["patient@example.jp"][1]
    assert not UndeliverableAddress.objects.exists()
