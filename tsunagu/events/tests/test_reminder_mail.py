"""Notification e-mail against a real mail server that is down, then refuses one address and
makes another wait, then takes everything: each recipient's mail is a task of its own, retried by
a real Celery worker; nothing is lost, nothing is sent twice, and operators see the refusal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_scopes import scope, scopes_disabled

from tsunagu.accounts.models import UndeliverableAddress
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.core.testing.mail import (
    MailServer,
    TaskLog,
    site_mail_server,
    task_worker,
    wait_until,
)
from tsunagu.events.models import Registration, RegistrationStatus
from tsunagu.events.tasks import send_event_reminders
from tsunagu.events.tests.helpers import make_event
from tsunagu.notify.actions import notify
from tsunagu.notify.models import Notification
from tsunagu.notify.tasks import send_notification_email
from tsunagu.testing.world import World

ONE_BY_ONE = "tsunagu.notify.tasks.send_notification_email"


@pytest.fixture
def server(settings: Any) -> Iterator[MailServer]:
    with site_mail_server(settings) as server:
        yield server


@pytest.fixture
def worker() -> Iterator[TaskLog]:
    with task_worker() as log:
        yield log


def participants(world: World, count: int) -> list[str]:
    """``count`` members of network A with a confirmed place at an event starting tonight."""
    event = make_event(
        world.net_a, title="秋の交流会", starts_at=timezone.now() + timedelta(hours=8)
    )
    addresses = []
    for i in range(count):
        address = f"member{i:02d}@example.jp"
        member = make_member(world.net_a, make_user(email=address, name=f"会員 {i:02d}"))
        with scopes_disabled():
            Registration.objects.create(
                network=world.net_a,
                event=event,
                user=member.user,
                status=RegistrationStatus.CONFIRMED,
            )
        addresses.append(address)
    return addresses


def reminders() -> dict[str, Notification]:
    with scopes_disabled():
        found = Notification.objects.filter(kind="event_reminder").select_related("recipient")
        return {n.recipient.email: n for n in found}


@pytest.mark.django_db(transaction=True)
def test_reminders_survive_a_server_that_is_down_then_refuses_one_address(
    world: World, server: MailServer, worker: TaskLog
) -> None:
    addresses = participants(world, 64)
    gone, late = addresses[7], addresses[40]

    # The mail server is down when Celery beat reminds the participants.
    assert send_event_reminders() == 64
    sent = reminders()
    assert sorted(sent) == addresses
    ids = {n.pk for n in sent.values()}

    def tried_again(times: int) -> bool:
        retries = worker.retries_of(ONE_BY_ONE)
        return all(retries.get((world.net_a.pk, pk), 0) >= times for pk in ids)

    wait_until(lambda: tried_again(2), what="every mail was tried again")
    assert server.received == []
    waiting = reminders()
    assert all(n.emailed_at is None for n in waiting.values())
    assert all("refused" in n.email_error for n in waiting.values())  # "Connection refused"
    assert not UndeliverableAddress.objects.exists()  # a server down is nobody's address

    # It comes back: it refuses one address for good and makes another wait twice.
    server.refuse(gone, "550 5.1.1 <gone>: Recipient address rejected: User unknown")
    server.refuse(late, "451 4.7.1 Greylisted, try again later", times=2)
    server.start()
    others = [a for a in addresses if a != gone]
    wait_until(lambda: set(server.delivered()) == set(others), what="the others received theirs")
    wait_until(lambda: worker.ended(ONE_BY_ONE) >= 64, what="every task ended")

    assert server.delivered() == Counter({address: 1 for address in others})
    assert server.asked.count(late) == 3
    done = reminders()
    assert all(done[a].emailed_at is not None and done[a].email_error == "" for a in others)
    assert done[gone].emailed_at is None
    assert done[gone].email_error.startswith("550 5.1.1")
    refusal = UndeliverableAddress.objects.get()
    assert refusal.email == gone
    assert refusal.reason == "550 5.1.1 <gone>: Recipient address rejected: User unknown"
    message = next(m for to, m in server.received if to == [late])
    assert "秋の交流会" in message["Subject"]

    # The broker delivers every task once more (a worker died before acknowledging): nothing
    # is sent twice, and the refused address is not asked again.
    for pk in ids:
        send_notification_email.delay(world.net_a.pk, pk)
    wait_until(lambda: worker.ended(ONE_BY_ONE) >= 128, what="the copies ran")
    assert server.delivered() == Counter({address: 1 for address in others})
    assert server.asked.count(gone) == 1

    # The next notification reaches everyone else; the refused address waits for its owner.
    with scope(network=world.net_a):
        member_ids = list(
            Notification.objects.filter(kind="event_reminder").values_list(
                "recipient_id", flat=True
            )
        )
        notify(world.net_a, member_ids, "announcement", params={"title": "総会のご案内"})
    wait_until(lambda: sum(server.delivered().values()) == 2 * 63, what="the announcement")
    assert server.asked.count(gone) == 1
    with scopes_disabled():
        paused = Notification.objects.get(kind="announcement", recipient__email=gone)
    assert paused.emailed_at is None
    assert "refused" in paused.email_error


@pytest.mark.django_db(transaction=True)
def test_operators_see_whose_address_refuses_mail_and_the_member_can_resume_it(
    world: World, server: MailServer, worker: TaskLog
) -> None:
    gone = make_member(world.net_a, make_user(email="gone@example.jp", name="届か ない"))
    server.refuse("gone@example.jp", "550 5.1.1 User unknown", times=1)  # then it is fixed
    server.start()
    with scope(network=world.net_a):
        notify(
            world.net_a, [gone.user, world.alumni_a.user], "announcement", params={"title": "総会"}
        )
    wait_until(UndeliverableAddress.objects.exists, what="the refusal is noted")
    wait_until(lambda: world.alumni_a.user.email in server.delivered(), what="the other mail")

    with translation.override("ja"):  # "メールが届きません" once the catalogue has it
        label = gettext("E-mail does not reach this address")
    operator = world.client(world.operator_a)
    console = "/n/mitsuba-a/manage/console/members/"
    page = operator.get(console).content.decode()
    row = page[page.index(f'data-member="{gone.pk}"') :].split("</tr>")[0]
    assert label in row and "550 5.1.1 User unknown" in row
    other_row = page[page.index(f'data-member="{world.alumni_a.pk}"') :].split("</tr>")[0]
    assert label not in other_row
    listed = operator.get(console + "?status=undeliverable").content.decode()
    assert "gone@example.jp" in listed and world.alumni_a.user.email not in listed
    # The address belongs to no member of B: their operator's list has nobody to show.
    other_network = world.client(world.operator_b).get(
        "/n/hidamari-b/manage/console/members/?status=undeliverable"
    )
    assert "gone@example.jp" not in other_network.content.decode()

    # The member sees why no mail comes, and says their mailbox works again.
    member = world.client(gone)
    preferences = member.get("/n/mitsuba-a/notifications/preferences/").content.decode()
    assert "gone@example.jp" in preferences and "550 5.1.1 User unknown" in preferences
    resumed = member.post("/n/mitsuba-a/notifications/preferences/", {"resume_email": "1"})
    assert resumed.status_code == 302
    assert not UndeliverableAddress.objects.exists()
    with scope(network=world.net_a):
        notify(world.net_a, [gone.user], "announcement", params={"title": "再開"})
    wait_until(lambda: "gone@example.jp" in server.delivered(), what="mail resumes")
    assert label not in operator.get(console).content.decode()


@pytest.mark.django_db
def test_a_copy_of_the_task_sends_nothing_while_another_worker_sends(
    world: World, server: MailServer
) -> None:
    server.start()
    with scope(network=world.net_a):
        [notification] = notify(world.net_a, [world.alumni_a.user], "announcement", params={})
    # Another worker began sending this mail a moment ago.
    with scopes_disabled():
        Notification.objects.filter(pk=notification.pk).update(email_sending_since=timezone.now())
    assert send_notification_email(world.net_a.pk, notification.pk) is False
    assert server.received == []
    # That worker died long ago: the mail is sent once, then never again.
    with scopes_disabled():
        Notification.objects.filter(pk=notification.pk).update(
            email_sending_since=timezone.now() - timedelta(hours=1)
        )
    assert send_notification_email(world.net_a.pk, notification.pk) is True
    assert send_notification_email(world.net_a.pk, notification.pk) is False
    assert server.delivered() == Counter({world.alumni_a.user.email: 1})


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_server_that_is_down_fails_no_page(
    world: World, server: MailServer
) -> None:
    """The embedded setup runs tasks in the web process: the page that caused the mail works,
    and the mail's failure is recorded instead."""
    client = world.client(world.operator_a)
    response = client.post(
        "/n/mitsuba-a/manage/console/members/bulk/",
        {"action": "role:supporter", "ids": [world.alumni_a.pk]},
    )
    assert response.status_code == 302
    with scopes_disabled():
        [notification] = Notification.objects.filter(recipient=world.alumni_a.user)
    assert notification.emailed_at is None
    assert "refused" in notification.email_error
