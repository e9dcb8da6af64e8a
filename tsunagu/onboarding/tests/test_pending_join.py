"""A shared invitation link survives sign-up: the join step is kept with the new account, so
confirming the address on a phone and logging in there leads back to it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client, TestCase
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.onboarding.models import Invitation, InviteLink, PendingJoin
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db
PASSWORD = "kanari-nagai-pass-2026"  # noqa: S105
CONFIRM = re.compile(r"https?://[^\s/]+(/accounts/confirm-email/[^\s]+/)")


def link_of(world: World) -> str:
    with scopes_disabled():
        link = InviteLink.objects.create(network=world.net_a, label="LINE グループ")
    return f"/n/{world.net_a.slug}/join/{link.token}/"


def sign_up(client: Client, email: str, next_path: str) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):  # the confirmation mail is queued
        response = client.post(
            "/accounts/signup/",
            {
                "name": "中村 結衣",
                "email": email,
                "password1": PASSWORD,
                "password2": PASSWORD,
                "next": next_path,
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]


def confirm_and_log_in_elsewhere(email: str) -> Client:
    """The phone: opens the link from the mail, confirms, logs in; a session of its own."""
    phone = Client()
    path = CONFIRM.search(mail.outbox[-1].body).group(1)
    assert phone.post(path).status_code == 302
    response = phone.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    phone.landing = response["Location"]  # type: ignore[attr-defined]
    return phone


def test_confirming_on_a_phone_and_logging_in_there_leads_to_the_join_step(
    world: World,
) -> None:
    join = link_of(world)
    sign_up(Client(), "yui@example.jp", join)

    phone = confirm_and_log_in_elsewhere("yui@example.jp")

    assert phone.landing == "/welcome/"  # type: ignore[attr-defined]
    response = phone.get("/welcome/")
    assert response.status_code == 302 and response["Location"] == join
    page = phone.get(join).content.decode()
    assert world.net_a.name in page and "参加する" in page
    assert phone.post(join).status_code == 302
    with scopes_disabled():
        assert Membership.objects.filter(network=world.net_a, user__email="yui@example.jp").exists()
        # Joined: the next login goes to the network, not back to the invitation.
        assert PendingJoin.objects.get().done_at is None
    assert phone.get("/welcome/")["Location"] == "/"
    with scopes_disabled():
        assert PendingJoin.objects.get().done_at is not None


def test_only_a_join_page_of_this_site_is_kept(world: World) -> None:
    for target in (
        "https://evil.example/n/mitsuba-a/join/abc/",
        "//evil.example/n/mitsuba-a/join/abc/",
        f"/n/{world.net_a.slug}/",
        "/n/no-such-network/join/abc/",
        "",
    ):
        sign_up(Client(), f"x{len(target)}@example.jp", target)
    with scopes_disabled():
        assert not PendingJoin.objects.exists()


def test_a_kept_join_step_is_forgotten_after_thirty_days(world: World) -> None:
    join = link_of(world)
    sign_up(Client(), "late@example.jp", join)
    phone = confirm_and_log_in_elsewhere("late@example.jp")
    assert phone.get("/welcome/")["Location"] == join
    for days, landing in ((29, join), (31, "/")):
        with time_machine.travel(timezone.now() + timedelta(days=days)):
            again = Client()
            again.post("/accounts/login/", {"login": "late@example.jp", "password": PASSWORD})
            assert again.get("/welcome/")["Location"] == landing, days


def test_the_sign_up_page_names_the_network_and_fills_in_the_invitation(world: World) -> None:
    with scopes_disabled():
        invitation = Invitation.objects.create(
            network=world.net_a, email="hanako.w@example.jp", name="渡邉 花子", status="sent"
        )
    path = f"/n/{world.net_a.slug}/invitation/{invitation.token}/"
    page = Client().get("/accounts/signup/", {"next": path}).content.decode()

    assert "data-joining" in page and world.net_a.name in page
    assert 'value="hanako.w@example.jp"' in page and 'value="渡邉 花子"' in page

    # Opened from another network's link, or from nowhere, it names no network.
    plain = Client().get("/accounts/signup/", {"next": "/n/no-such/join/x/"}).content.decode()
    assert "data-joining" not in plain and 'value="渡邉 花子"' not in plain


def test_the_confirmation_mail_is_in_the_language_of_the_person_signing_up(world: World) -> None:
    join = link_of(world)
    english = Client(headers={"accept-language": "en"})
    english.cookies.load({"django_language": "en"})
    sign_up(english, "en@example.jp", join)

    message = mail.outbox[-1]
    assert "Confirm" in message.subject and "確認" not in message.subject
