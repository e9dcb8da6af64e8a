"""The do-not-invite list: filled by an operator, the HR system and the person, honoured by every
way an invitation can be made or sent; operators see 「招待できません」, never why."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, TestCase
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.onboarding import actions
from tsunagu.onboarding.donotinvite import digest_of
from tsunagu.onboarding.models import DoNotInvite, Invitation, InvitationStatus
from tsunagu.onboarding.tasks import send_invitation, send_scheduled_invitations
from tsunagu.testing.world import World

from .files import csv_bytes
from .test_invitations import api
from .test_roster_import import upload_and_import

pytestmark = pytest.mark.django_db
STOP = re.compile(r"https?://[^\s/]+(/n/[\w-]+/invitation/[\w-]+/stop/)")


def django_capture():  # noqa: ANN201
    """Runs what a request's commit would run: the sending tasks."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def block(world: World, text: str, action: str = "add"):
    return world.client(world.operator_a).post(
        f"/n/{world.net_a.slug}/manage/do-not-invite/",
        {"addresses": text, "action": action, "next": f"/n/{world.net_a.slug}/manage/invitations/"},
        follow=True,
    )


def invitation(world: World, email: str) -> Invitation:
    with scopes_disabled():
        return Invitation.objects.get(network=world.net_a, email=email)


def test_an_operator_blocks_an_address_and_its_waiting_invitation_stops(world: World) -> None:
    with scopes_disabled():
        Invitation.objects.create(network=world.net_a, email="hanako@example.jp", name="花子")

    page = block(world, "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ, other@example.jp").content.decode()

    assert "2件をリストに追加しました" in page
    assert "リストには2件の連絡先があります" in page
    assert invitation(world, "hanako@example.jp").status == InvitationStatus.BLOCKED
    assert "招待できません" in page
    with scopes_disabled():
        entry = AuditEntry.objects.get(action=AuditAction.DO_NOT_INVITE)
    assert "hanako" not in str(entry.detail)
    # Segment invitations leave it out; sending it alone is refused.
    with scope(network=world.net_a):
        assert (
            actions.do_send_invitations(world.operator_a, [invitation(world, "hanako@example.jp")])
            == 0
        )
    assert not mail.outbox


def test_the_list_keeps_no_readable_address(world: World) -> None:
    block(world, "canary-secret-7@example.jp")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {DoNotInvite._meta.db_table}")  # noqa: S608 - our table
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert "canary" not in repr(rows)


def test_junk_in_the_list_form_says_which_and_adds_nothing(world: World) -> None:
    page = block(world, "ok@example.jp\nこれはメールではない").content.decode()
    assert "メールアドレスとして読めないものがあります：これはメールではない" in page
    with scopes_disabled():
        assert not DoNotInvite.objects.exists()


def test_a_roster_import_keeps_the_person_but_never_invites_them(world: World) -> None:
    block(world, "hanako.tanaka@example.jp")
    client = world.client(world.operator_a)
    upload_and_import(
        client,
        world,
        csv_bytes([["田中 花子", "タナカ ハナコ", "hanako.tanaka@example.jp", "営業部", "", "", ""],
                   ["鈴木 一郎", "スズキ イチロウ", "ichiro@example.jp", "人事部", "", "", ""]]),
    )  # fmt: skip
    assert invitation(world, "hanako.tanaka@example.jp").status == InvitationStatus.BLOCKED
    assert invitation(world, "hanako.tanaka@example.jp").name == "田中 花子"

    with scope(network=world.net_a), django_capture():
        sent = actions.do_send_invitations(
            world.operator_a, list(Invitation.objects.filter(network=world.net_a))
        )
    assert sent == 1
    assert [m.to for m in mail.outbox] == [["ichiro@example.jp"]]


def test_members_and_operators_cannot_invite_a_blocked_address(world: World) -> None:
    block(world, "nope@example.jp")
    told = world.client(world.operator_a).post(
        f"/n/{world.net_a.slug}/invite/", {"email": "NOPE@example.jp", "name": "招待 不可"}
    )
    assert "この方は招待できません" in told.content.decode()
    # A member is answered as for any address: the form does not reveal the list.
    answer = world.client(world.alumni_a).post(
        f"/n/{world.net_a.slug}/invite/", {"email": "nope@example.jp", "name": "招待 不可"},
        follow=True,
    )  # fmt: skip
    assert "招待できません" not in answer.content.decode()
    with scopes_disabled():
        assert not Invitation.objects.filter(email="nope@example.jp").exists()
    assert not mail.outbox


def test_the_hr_system_cannot_schedule_a_blocked_leaver(world: World) -> None:
    block(world, "leaver@example.jp")
    with scope(network=world.net_a):
        key = actions.new_api_key(world.operator_a)
    body = {"email": "leaver@example.jp", "name": "退職 予定",
            "left_on": timezone.localdate().isoformat()}  # fmt: skip
    response = api(Client(), world, body, key)
    assert response.status_code in (200, 201)
    assert response.json()["status"] == "blocked"
    assert send_scheduled_invitations() == 0
    assert not mail.outbox


def test_the_person_stops_invitations_from_the_mail_and_stays_stopped(world: World) -> None:
    with scopes_disabled():
        sent = Invitation.objects.create(
            network=world.net_a, email="me@example.jp", status=InvitationStatus.QUEUED
        )
    send_invitation.run(world.net_a.pk, sent.pk)
    stop = STOP.search(mail.outbox[-1].body)
    assert stop, mail.outbox[-1].body
    visitor = Client()
    assert "今後招待しないでください" in visitor.get(stop[1]).content.decode()

    page = visitor.post(stop[1]).content.decode()

    assert "data-stopped" in page
    assert invitation(world, "me@example.jp").status == InvitationStatus.BLOCKED
    with scopes_disabled():
        assert DoNotInvite.objects.get().source == DoNotInvite.Source.PERSON
    # Operators see the state, not who asked for it.
    listing = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/manage/invitations/")
    assert "招待できません" in listing.content.decode() and "本人" not in listing.content.decode()
    # Another network may still invite the same address.
    with scope(network=world.net_b):
        assert actions.do_member_invite(world.operator_b, email="me@example.jp", name="私")


def test_an_invitation_queued_before_the_address_was_blocked_is_not_sent(world: World) -> None:
    with scopes_disabled():
        queued = Invitation.objects.create(
            network=world.net_a, email="late@example.jp", status=InvitationStatus.QUEUED
        )
        DoNotInvite.objects.create(
            network=world.net_a,
            digest=digest_of("late@example.jp"),
            source=DoNotInvite.Source.HR,
        )

    assert send_invitation.run(world.net_a.pk, queued.pk) is False

    assert not mail.outbox
    assert invitation(world, "late@example.jp").status == InvitationStatus.BLOCKED


def test_taking_an_address_off_the_list_lets_it_be_invited_again(world: World) -> None:
    with scopes_disabled():
        Invitation.objects.create(network=world.net_a, email="back@example.jp")
    block(world, "back@example.jp")
    page = block(world, "back@example.jp", action="remove").content.decode()
    assert "1件をリストから外しました" in page
    assert invitation(world, "back@example.jp").status == InvitationStatus.NEW
