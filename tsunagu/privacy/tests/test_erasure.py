"""Deleting one's account (削除): re-authentication, the grace period, and what is left."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import TestCase
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_scopes import scope, scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.boards.models import Comment, Thread
from tsunagu.core.testing.factories import PASSWORD
from tsunagu.onboarding import actions as onboarding
from tsunagu.onboarding.models import Invitation, InvitationStatus
from tsunagu.onboarding.tests.files import csv_bytes
from tsunagu.onboarding.tests.test_roster_import import upload_and_import
from tsunagu.privacy.models import Erasure
from tsunagu.privacy.tasks import erase_due_accounts
from tsunagu.talk.models import Message
from tsunagu.tenancy.models import Membership, Status
from tsunagu.testing.world import World

from .helpers import fill

pytestmark = pytest.mark.django_db
DELETE = "/accounts/privacy/delete/"


def run_on_commit():  # noqa: ANN201
    return TestCase.captureOnCommitCallbacks(execute=True)


def english(world: World, who: Membership):  # noqa: ANN201
    # The catalogues are compiled when the branch is merged; the pages are read in English here.
    client = world.client(who)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def ask_to_delete(world: World, who: Membership, password: str = PASSWORD, posts: str = "keep"):
    with run_on_commit():
        return english(world, who).post(DELETE, {"password": password, "posts": posts}, follow=True)


def fall_due() -> int:
    Erasure.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    with run_on_commit():
        return erase_due_accounts()


def test_a_wrong_password_is_a_field_error_and_schedules_nothing(world: World) -> None:
    response = ask_to_delete(world, world.alumni_a, password="not-my-password")
    assert response.status_code == 400
    assert "The password is not correct." in response.content.decode()
    assert not Erasure.objects.exists()


def test_the_last_operator_must_hand_over_first(world: World) -> None:
    response = ask_to_delete(world, world.operator_a)
    page = response.content.decode()
    assert response.status_code == 400
    assert world.net_a.name in page and "the last operator" in page
    assert not Erasure.objects.exists()


def test_scheduling_shows_a_banner_everywhere_mails_and_can_be_cancelled(world: World) -> None:
    response = ask_to_delete(world, world.alumni_a)
    assert response.status_code == 200
    erasure = Erasure.objects.get()
    assert erasure.due_at > timezone.now() + timedelta(days=13)
    assert [m.to for m in mail.outbox] == [[world.alumni_a.user.email]]
    client = english(world, world.alumni_a)
    home = client.get(f"/n/{world.net_a.slug}/")
    # force_login is a new session: the flag is written at login, as for a real one.
    assert "Your account will be deleted on" in home.content.decode()
    with run_on_commit():
        client.post("/accounts/privacy/delete/cancel/")
    assert Erasure.objects.get().cancelled_at is not None
    assert "will be deleted" not in client.get(f"/n/{world.net_a.slug}/").content.decode()
    assert len(mail.outbox) == 2
    assert fall_due() == 0  # a cancelled erasure never runs
    with scopes_disabled():
        assert Membership.objects.get(pk=world.alumni_a.pk).status == Status.ACTIVE


def test_posts_kept_show_as_by_a_former_member(world: World) -> None:
    filled = fill(world, "残すカナリア")
    ask_to_delete(world, world.alumni_a, posts="keep")
    assert fall_due() == 1
    user = User.objects.get(pk=world.alumni_a.user_id)
    assert not user.is_active and not user.has_usable_password() and user.name == ""
    with scopes_disabled():
        assert Membership.objects.get(pk=world.alumni_a.pk).status == Status.LEFT
        assert Message.objects.get(pk=filled.objects[world.net_a.slug]["message"].pk).body
    with scope(network=world.net_a):
        thread = Thread.objects.get(pk=filled.objects[world.net_a.slug]["thread"].pk)
        assert "残すカナリア" in thread.body
    page = english(world, world.employee_a).get(f"/n/{world.net_a.slug}/boards/t/{thread.pk}/")
    assert page.status_code == 200


def test_posts_become_tombstones_by_choice(world: World) -> None:
    filled = fill(world, "消すカナリア")
    ask_to_delete(world, world.alumni_a, posts="tombstone")
    assert fall_due() == 1
    with scopes_disabled():
        message = Message.objects.get(pk=filled.objects[world.net_a.slug]["message"].pk)
        assert message.is_deleted and message.body == ""
        thread = Thread.objects.get(pk=filled.objects[world.net_a.slug]["thread"].pk)
        with translation.override(settings.LANGUAGE_CODE):
            assert thread.title == gettext("Deleted") and thread.body == ""
        assert not Comment.objects.filter(body__contains="消すカナリア").exists()


def test_the_same_roster_imported_after_the_erasure_invites_nobody_there(world: World) -> None:
    user = world.alumni_a.user
    with scopes_disabled():
        Invitation.objects.create(
            network=world.net_a, email=user.email, name="田中 花子",
            status=InvitationStatus.ACCEPTED, membership=world.alumni_a,
        )  # fmt: skip
    address = user.email
    ask_to_delete(world, world.alumni_a)
    assert fall_due() == 1
    with scopes_disabled():
        assert not Invitation.objects.filter(email=address).exists()
    client = world.client(world.operator_a)
    upload_and_import(
        client,
        world,
        csv_bytes([["田中 花子", "タナカ ハナコ", address, "営業部", "", "", ""],
                   ["鈴木 一郎", "スズキ イチロウ", "ichiro@example.jp", "人事部", "", "", ""]]),
    )  # fmt: skip
    mail.outbox.clear()
    with scope(network=world.net_a), run_on_commit():
        sent = onboarding.do_send_invitations(
            world.operator_a, list(Invitation.objects.filter(network=world.net_a))
        )
    assert sent == 1
    assert [m.to for m in mail.outbox] == [["ichiro@example.jp"]]
