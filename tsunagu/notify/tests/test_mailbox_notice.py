"""A member whose address refuses mail is asked, on the next page of their network, to change it
or to say their mailbox takes mail again; "later" hides the notice for the session. The notice
costs no query on anyone's page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from django_scopes import scope

from tsunagu.accounts.models import UndeliverableAddress
from tsunagu.core.testing.mail import MailServer, site_mail_server
from tsunagu.notify.actions import notify
from tsunagu.notify.tasks import send_notification_email
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World

HOME = "/n/mitsuba-a/"
EVENTS = "/n/mitsuba-a/events/"
NOTICE = "data-mailbox-notice"


@pytest.fixture
def server(settings: Any) -> Iterator[MailServer]:
    with site_mail_server(settings) as server:
        server.start()
        yield server


def refuse_mail_to(world: World, member: Membership, server: MailServer) -> None:
    """The mail server refuses a notification to the member's address, for good."""
    server.refuse(member.user.email, "550 5.1.1 User unknown")
    with scope(network=world.net_a):
        [notification] = notify(world.net_a, [member.user], "announcement", params={})
    assert send_notification_email(world.net_a.pk, notification.pk) is False
    assert UndeliverableAddress.objects.filter(email=member.user.email).exists()


def japanese(text: str) -> str:
    with translation.override("ja"):
        return gettext(text)


def test_the_member_is_asked_on_every_page_until_the_mailbox_takes_mail_again(
    world: World, server: MailServer
) -> None:
    member = world.client(world.alumni_a)
    assert NOTICE not in member.get(HOME).content.decode()  # the user is cached from here on
    refuse_mail_to(world, world.alumni_a, server)

    for page in (HOME, EVENTS):
        body = member.get(page).content.decode()
        assert NOTICE in body, page
        notice = body[body.index(NOTICE) :].split("</section>")[0]
        assert world.alumni_a.user.email in notice
        assert japanese("Your e-mail does not reach you") in notice
        assert 'href="/accounts/email/"' in notice
        assert japanese("My mailbox takes mail again: resume e-mail") in notice
    # Nobody else is asked.
    assert NOTICE not in world.client(world.employee_a).get(HOME).content.decode()

    answer = member.post("/n/mitsuba-a/notifications/preferences/", {"resume_email": "1"})
    assert answer.status_code == 302
    assert not UndeliverableAddress.objects.exists()
    assert NOTICE not in member.get(HOME).content.decode()


def test_later_hides_the_notice_until_the_next_session(world: World, server: MailServer) -> None:
    refuse_mail_to(world, world.alumni_a, server)
    member = world.client(world.alumni_a)
    assert NOTICE in member.get(HOME).content.decode()
    answer = member.post("/n/mitsuba-a/notifications/mailbox/later/", {"next": EVENTS})
    assert answer.status_code == 302 and answer["Location"] == EVENTS
    assert NOTICE not in member.get(HOME).content.decode()
    assert NOTICE not in member.get(EVENTS).content.decode()
    # Logged in again (another session): asked again, since nothing was resolved.
    assert NOTICE in world.client(world.alumni_a).get(HOME).content.decode()
    # "Later" goes back only to a page of this site.
    elsewhere = member.post(
        "/n/mitsuba-a/notifications/mailbox/later/", {"next": "https://evil.example/"}
    )
    assert elsewhere["Location"] == HOME


def test_a_new_address_ends_the_notice_and_gets_the_mail(world: World, server: MailServer) -> None:
    old = world.alumni_a.user.email
    refuse_mail_to(world, world.alumni_a, server)
    member = world.client(world.alumni_a)
    assert NOTICE in member.get(HOME).content.decode()
    # The member adds an address and confirms it (allauth), then makes it their main one.
    EmailAddress.objects.create(
        user=world.alumni_a.user, email="hanako.new@example.jp", verified=True, primary=False
    )
    answer = member.post(
        "/accounts/email/", {"action_primary": "", "email": "hanako.new@example.jp"}
    )
    assert answer.status_code == 302
    world.alumni_a.user.refresh_from_db()
    assert world.alumni_a.user.email == "hanako.new@example.jp"
    assert NOTICE not in member.get(HOME).content.decode()
    # The new address gets mail at once; the old one's refusal stays with the old address.
    with scope(network=world.net_a):
        [notification] = notify(
            world.net_a, [world.alumni_a.user], "announcement", params={"title": "再開"}
        )
    assert send_notification_email(world.net_a.pk, notification.pk) is True
    assert server.delivered()["hanako.new@example.jp"] == 1
    assert list(UndeliverableAddress.objects.values_list("email", flat=True)) == [old]


def test_the_notice_costs_no_query(world: World, server: MailServer) -> None:
    def home_page(who: Membership) -> tuple[int, bool]:
        """The queries of the home page once the session's first page filled the caches, and
        whether it asks about the address."""
        client = world.client(who)
        client.get(HOME)
        with CaptureQueriesContext(connection) as captured:
            body = client.get(HOME).content.decode()
        return len(captured), NOTICE in body

    before, asked = home_page(world.employee_a)
    assert not asked
    refuse_mail_to(world, world.employee_a, server)
    assert home_page(world.employee_a) == (before, True)
