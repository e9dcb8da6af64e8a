"""Operators see how many of their network's members no mail reaches, and who they are: only
their own network's members, never an address of another network's member."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope

from tsunagu.accounts.delivery import forget_refusal, note_refusal
from tsunagu.accounts.models import UndeliverableAddress
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.core.testing.mail import site_mail_server
from tsunagu.onboarding.actions import do_decide_application
from tsunagu.onboarding.models import Application
from tsunagu.onboarding.tasks import send_application_decision
from tsunagu.tenancy.actions import do_change_status
from tsunagu.tenancy.models import Membership, Status
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db
CONSOLE = "/n/{}/manage/console/"
UNREACHABLE = "/n/{}/manage/console/members/?status=undeliverable"


def count_on_console(client: object, slug: str) -> int:
    page = client.get(CONSOLE.format(slug)).content.decode()  # type: ignore[attr-defined]
    return int(re.search(r'data-undeliverable="(\d+)"', page)[1])  # type: ignore[index]


def test_the_console_counts_and_lists_only_the_networks_own_unreachable_members(
    world: World,
) -> None:
    both = make_user(email="ryoho@example.jp", name="両方 所属")
    make_member(world.net_a, both)
    make_member(world.net_b, both)
    left = make_member(world.net_a, make_user(email="taikai@example.jp", name="退会 済み"))
    for address in (
        world.alumni_a.user.email,
        both.email,
        world.alumni_b.user.email,  # B's member only
        world.outsider.email,  # nobody's member
        left.user.email,
        "invitee@example.jp",  # an invitation's address, no account
    ):
        note_refusal(address, "550 5.1.1 User unknown")
    with scope(network=world.net_a):
        do_change_status(world.operator_a, left, Status.LEFT)

    a, b = world.client(world.operator_a), world.client(world.operator_b)
    assert count_on_console(a, "mitsuba-a") == 2
    assert count_on_console(b, "hidamari-b") == 2
    listed = a.get(UNREACHABLE.format("mitsuba-a")).content.decode()
    assert world.alumni_a.user.email in listed and both.email in listed
    for elsewhere in (world.alumni_b.user.email, world.outsider.email, left.user.email):
        assert elsewhere not in listed
    listed_b = b.get(UNREACHABLE.format("hidamari-b")).content.decode()
    assert world.alumni_b.user.email in listed_b and both.email in listed_b
    assert world.alumni_a.user.email not in listed_b
    # The console's link opens that list.
    assert (
        f'href="{UNREACHABLE.format("mitsuba-a")}"'
        in a.get(CONSOLE.format("mitsuba-a")).content.decode()
    )

    forget_refusal(both.email)  # "my mailbox takes mail again"
    assert count_on_console(a, "mitsuba-a") == 1 and count_on_console(b, "hidamari-b") == 1


def test_members_and_operators_of_another_network_see_neither_count_nor_list(
    world: World,
) -> None:
    note_refusal(world.alumni_a.user.email, "550 5.1.1 User unknown")
    for who in (world.employee_a, world.operator_b, world.supporter_b):
        client = world.client(who)
        for url in (CONSOLE, UNREACHABLE):
            answer = client.get(url.format("mitsuba-a"))
            assert answer.status_code in (302, 403, 404)  # outsiders go to the about page
            assert world.alumni_a.user.email not in answer.content.decode()


def test_a_refused_decision_mail_marks_the_applicants_address(
    world: World, settings: object
) -> None:
    """The answer to an application goes through the same delivery as every other mail: the
    mail server's 5xx for the address marks it, and the office then counts the new member."""
    applicant = make_user(email="oubo@example.jp", name="応募 者")
    with scope(network=world.net_a):
        Membership.objects.create(
            network=world.net_a, user=applicant, role="alumni", status=Status.PENDING
        )
        application = Application.objects.create(network=world.net_a, user=applicant)
        do_decide_application(world.operator_a, application, approve=True)
    with site_mail_server(settings) as server:
        server.refuse("oubo@example.jp", "550 5.1.1 <oubo@example.jp>: User unknown")
        server.start()
        send_application_decision(world.net_a.pk, application.pk)
        assert server.asked == ["oubo@example.jp"] and server.received == []
    refusal = UndeliverableAddress.objects.get()
    assert (refusal.email, refusal.reason) == (
        "oubo@example.jp",
        "550 5.1.1 <oubo@example.jp>: User unknown",
    )
    assert count_on_console(world.client(world.operator_a), "mitsuba-a") == 1
