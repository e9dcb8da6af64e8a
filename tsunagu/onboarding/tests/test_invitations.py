"""Invitations end to end: a segment of the roster by e-mail, personal links, members' proposals,
the HR system's leavers; every dead end says why."""

from __future__ import annotations

import datetime
import json
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.core.testing.factories import PASSWORD, make_member, make_user
from tsunagu.core.testing.mail import site_mail_server
from tsunagu.notify.models import Notification
from tsunagu.onboarding import actions
from tsunagu.onboarding.models import Invitation, InviteLink, OnboardingSettings
from tsunagu.onboarding.tasks import send_invitation_reminders, send_scheduled_invitations
from tsunagu.onboarding.views.joining import masked_address
from tsunagu.profiles.models import Profile
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://testserver(/n/[\w-]+/(?:invitation|join)/[\w-]+/)")


def invitee(world: World, email: str, **fields) -> Invitation:
    with scopes_disabled():
        return Invitation.objects.create(network=world.net_a, email=email, **fields)


def roster(world: World) -> dict[str, Invitation]:
    today = timezone.localdate()
    return {
        "recent": invitee(
            world, "recent@example.jp", name="田中 花子", department="営業部",
            title="課長", joined_on=datetime.date(2010, 4, 1), left_on=today - timedelta(days=60),
        ),
        "old": invitee(world, "old@example.jp", name="鈴木 一郎", department="営業部",
                       left_on=today - timedelta(days=800)),
        "hr": invitee(world, "hr@example.jp", name="高橋 健太", department="人事部",
                      left_on=today - timedelta(days=30)),
    }  # fmt: skip


def link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match[1]


def status(invitation: Invitation) -> str:
    with scopes_disabled():
        return Invitation.objects.get(pk=invitation.pk).status


def test_a_segment_is_invited_by_email_once_in_both_languages(world: World, committed) -> None:
    people = roster(world)
    client = world.client(world.operator_a)
    url = f"/n/{world.net_a.slug}/manage/invitations/"
    page = client.get(url, {"left_within": 18, "department": "営業"}).content.decode()
    assert "田中 花子" in page and "鈴木 一郎" not in page and "高橋 健太" not in page
    with committed():
        response = client.post(url + "send/", {"left_within": 18, "department": "営業"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["recent@example.jp"]]
    message = mail.outbox[0]
    assert "三ツ葉商事 アルムナイ" in message.subject and "Invitation" in message.subject
    assert "ご招待します" in message.body and "You are invited" in message.body
    assert link_in(message).endswith(f"/invitation/{people['recent'].token}/")
    with scopes_disabled():
        sent = Invitation.objects.get(pk=people["recent"].pk)
    assert sent.status == "sent" and sent.sent_at is not None and sent.expires_at is not None
    assert status(people["old"]) == status(people["hr"]) == "new"
    with committed():
        client.post(url + "send/", {"left_within": 18, "department": "営業"})
    assert len(mail.outbox) == 1  # already invited: not again
    with scopes_disabled():
        assert (
            AuditEntry.objects.filter(network=world.net_a, action=AuditAction.INVITE).count() == 1
        )


def test_sending_is_spread_at_the_configured_rate(
    world: World, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    settings.INVITATION_EMAILS_PER_MINUTE = 2
    people = [invitee(world, f"p{i}@example.jp", name=f"社員 {i}") for i in range(5)]
    calls = []
    from tsunagu.onboarding import tasks

    def record(args, kwargs, countdown):
        calls.append((args[1], countdown))

    monkeypatch.setattr(tasks.send_invitations, "apply_async", record)
    with django_capture_on_commit_callbacks(execute=True), scope(network=world.net_a):
        actions.do_send_invitations(world.operator_a, people)
    assert [len(ids) for ids, _ in calls] == [2, 2, 1]
    assert [countdown for _, countdown in calls] == [0, 60, 120]


def test_a_delivery_failure_is_shown_and_can_be_retried(world: World, settings, committed) -> None:
    person = invitee(world, "bounce@example.jp", name="配信 失敗")
    client = world.client(world.operator_a)
    with site_mail_server(settings) as server:  # down: without a broker, no retry waits
        with committed():
            client.post(
                f"/n/{world.net_a.slug}/manage/invitations/{person.pk}/", {"action": "send"}
            )
        assert status(person) == "failed"
        page = client.get(f"/n/{world.net_a.slug}/manage/invitations/?status=failed").content
        assert "配信失敗" in page.decode() and "bounce@example.jp" in page.decode()
        assert "Connection refused" in page.decode()
        server.start()
        with committed():
            client.post(
                f"/n/{world.net_a.slug}/manage/invitations/{person.pk}/", {"action": "send"}
            )
    assert status(person) == "sent"
    assert list(server.delivered()) == ["bounce@example.jp"]


def test_one_reminder_a_week_later(world: World, committed) -> None:
    person = invitee(world, "slow@example.jp", name="後回し 太郎")
    with committed(), scope(network=world.net_a):
        actions.do_send_invitations(world.operator_a, [person])
    assert len(mail.outbox) == 1
    assert send_invitation_reminders() == 0  # too early
    with scopes_disabled():
        Invitation.objects.filter(pk=person.pk).update(sent_at=timezone.now() - timedelta(days=8))
    assert send_invitation_reminders() == 1
    assert send_invitation_reminders() == 0  # only one reminder
    assert len(mail.outbox) == 2
    assert "再送" in mail.outbox[1].subject and "Reminder" in mail.outbox[1].subject
    assert link_in(mail.outbox[1]) == link_in(mail.outbox[0])


def sign_up_through(client: Client, path: str, email: str, name: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert "登録して参加する" in page.content.decode()
    response = client.post(
        f"/accounts/signup/?next={path}",
        {"name": name, "email": email, "password1": PASSWORD, "password2": PASSWORD, "next": path},
    )
    assert response.status_code == 302, response.content.decode()[:500]


def test_invitee_signs_up_from_the_mail_and_lands_in_the_network_with_a_prefilled_profile(
    world: World, committed
) -> None:
    people = roster(world)
    with committed(), scope(network=world.net_a):
        actions.do_send_invitations(world.operator_a, [people["recent"]])
    path = link_in(mail.outbox[0])
    client = Client()
    with committed():  # account mails leave from a task queued on commit
        sign_up_through(client, path, "recent@example.jp", "田中 花子")
    # Opening the link from the mail proves the address: no confirmation mail, logged in.
    assert not any("確認" in m.subject for m in mail.outbox[1:])
    page = client.get(path)
    assert "ネットワークに参加する" in page.content.decode()
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == f"/n/{world.net_a.slug}/"
    assert client.get(response["Location"]).status_code == 200
    user = User.objects.get(email="recent@example.jp")
    with scopes_disabled():
        membership = Membership.objects.get(network=world.net_a, user=user)
        profile = Profile.objects.get(membership=membership)
        accepted = Invitation.objects.get(pk=people["recent"].pk)
    assert (membership.role, membership.status) == (Role.ALUMNI, Status.ACTIVE)
    assert profile.name_kanji == "田中 花子"
    assert profile.last_department == "営業部" and profile.last_title == "課長"
    assert profile.joined_on == datetime.date(2010, 4, 1)
    assert accepted.status == "accepted" and accepted.membership_id == membership.pk
    # The invitation is spent: another account cannot use it.
    stranger = world.client(world.outsider)
    again = stranger.get(path)
    assert again.status_code == 410
    assert "この招待はすでに使われています" in again.content.decode()


def test_an_employee_invitation_gives_the_employee_role(world: World, committed) -> None:
    person = invitee(world, "staff@example.jp", name="現役 社員", role=Role.EMPLOYEE)
    with committed(), scope(network=world.net_a):
        actions.do_send_invitations(world.operator_a, [person])
    user = make_user(email="staff@example.jp", name="現役 社員")
    client = world.client(user)
    client.post(link_in(mail.outbox[0]))
    with scopes_disabled():
        assert Membership.objects.get(network=world.net_a, user=user).role == Role.EMPLOYEE


def sent_invitation(world: World) -> Invitation:
    """田中 花子's invitation, mailed to recent@example.jp, with what HR knows about her."""
    person = roster(world)["recent"]
    with scopes_disabled():
        Invitation.objects.filter(pk=person.pk).update(
            status="sent", sent_at=timezone.now(), expires_at=timezone.now() + timedelta(days=60)
        )
    return person


def hr_data_anywhere() -> list[Profile]:
    with scopes_disabled():
        return list(
            Profile.objects.filter(last_department="営業部")
            | Profile.objects.filter(name_kanji="田中 花子")
        )


def test_another_account_holding_the_link_cannot_accept_an_invitation(world: World) -> None:
    person = sent_invitation(world)
    path = f"/n/{world.net_a.slug}/invitation/{person.token}/"
    client = world.client(world.outsider)
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 403
        page = response.content.decode()
        # Which address it was sent to, masked, and a way to log out and come back to it.
        assert "re***@ex***.jp" in page and "recent@example.jp" not in page
        assert "田中 花子" not in page and "営業部" not in page
        assert 'action="/accounts/logout/"' in page and f'value="{path}"' in page
    with scopes_disabled():
        assert not Membership.objects.filter(user=world.outsider).exists()
    assert status(person) == "sent"
    assert not hr_data_anywhere()
    # The action refuses as well, whoever calls it.
    with pytest.raises(PermissionDenied), scope(network=world.net_a):
        actions.do_accept_invitation(world.outsider, person)
    with scopes_disabled():
        assert not Membership.objects.filter(user=world.outsider).exists()


def test_an_unconfirmed_address_equal_to_the_invitation_cannot_accept_it(world: World) -> None:
    person = sent_invitation(world)
    path = f"/n/{world.net_a.slug}/invitation/{person.token}/"
    # An account made with the address but never confirmed, and one that added it unconfirmed.
    typed = make_user(email="recent@example.jp", name="なりすまし", verified=False)
    added = make_user(email="someone@example.jp", name="なりすまし 二")
    EmailAddress.objects.create(user=added, email="recent@example.jp", verified=False)
    for user in (typed, added):
        client = world.client(user)
        response = client.post(path)
        assert response.status_code == 403
        page = response.content.decode()
        assert "re***@ex***.jp" in page and 'href="/accounts/email/"' in page
    with scopes_disabled():
        assert not Membership.objects.filter(user__in=[typed, added]).exists()
    assert status(person) == "sent"
    assert not hr_data_anywhere()


def test_the_owner_of_the_address_joins_with_the_roster_data(world: World) -> None:
    person = sent_invitation(world)
    # Their confirmed address, as they typed it when they added it to their account.
    owner = make_user(email="hanako.tanaka@example.jp", name="田中 花子")
    EmailAddress.objects.create(user=owner, email="Recent@Example.JP", verified=True)
    client = world.client(owner)
    path = f"/n/{world.net_a.slug}/invitation/{person.token}/"
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == f"/n/{world.net_a.slug}/"
    with scopes_disabled():
        membership = Membership.objects.get(network=world.net_a, user=owner)
        profile = Profile.objects.get(membership=membership)
    assert profile.name_kanji == "田中 花子" and profile.last_department == "営業部"
    assert status(person) == "accepted"


def test_someone_logged_in_with_another_account_logs_out_signs_up_and_joins(
    world: World,
) -> None:
    person = sent_invitation(world)
    path = f"/n/{world.net_a.slug}/invitation/{person.token}/"
    client = world.client(world.outsider)  # a shared computer, still logged in as someone else
    assert client.get(path).status_code == 403
    response = client.post("/accounts/logout/", {"next": path})
    assert response.status_code == 302 and response["Location"] == path
    sign_up_through(client, path, "recent@example.jp", "田中 花子")
    assert not any("確認" in m.subject for m in mail.outbox)  # the link proved the address
    assert client.post(path).status_code == 302
    with scopes_disabled():
        membership = Membership.objects.get(network=world.net_a, user__email="recent@example.jp")
        assert Profile.objects.get(membership=membership).last_department == "営業部"
        assert not Membership.objects.filter(user=world.outsider).exists()


def test_the_invited_address_is_masked_but_recognisable() -> None:
    assert masked_address("taro@example.co.jp") == "ta***@ex***.co.jp"
    assert masked_address("a@x.jp") == "a***@x***.jp"
    assert masked_address("recent@example.jp") == "re***@ex***.jp"


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"status": "revoked"}, 410, "運営事務局が取り消しました"),
        ({"expires_at": timezone.now() - timedelta(days=1)}, 410, "有効期限が切れています"),
        ({"status": "new"}, 410, "まだ送信されていません"),
    ],
)
def test_dead_invitations_say_why(world: World, change: dict, code: int, message: str) -> None:
    person = invitee(
        world, "x@example.jp", status="sent", expires_at=timezone.now() + timedelta(days=9)
    )
    with scopes_disabled():
        Invitation.objects.filter(pk=person.pk).update(**change)
    client = world.client(world.outsider)
    path = f"/n/{world.net_a.slug}/invitation/{person.token}/"
    for response in (client.get(path), client.post(path)):
        assert response.status_code == code
        assert message in response.content.decode()
    with scopes_disabled():
        assert not Membership.objects.filter(network=world.net_a, user=world.outsider).exists()


def test_an_invitation_opened_under_another_network_says_so(world: World) -> None:
    person = invitee(world, "x@example.jp", status="sent")
    client = world.client(world.outsider)
    response = client.post(f"/n/{world.net_b.slug}/invitation/{person.token}/")
    assert response.status_code == 404
    assert "別のネットワークのもの" in response.content.decode()
    with scopes_disabled():
        assert not Membership.objects.filter(user=world.outsider).exists()
    bogus = client.get(f"/n/{world.net_a.slug}/invitation/not-a-token/")
    assert bogus.status_code == 404 and "正しくありません" in bogus.content.decode()


def test_revoking_from_the_list(world: World) -> None:
    person = invitee(world, "x@example.jp", status="sent")
    client = world.client(world.operator_a)
    client.post(f"/n/{world.net_a.slug}/manage/invitations/{person.pk}/", {"action": "revoke"})
    assert status(person) == "revoked"
    assert (
        world.client(world.outsider)
        .get(f"/n/{world.net_a.slug}/invitation/{person.token}/")
        .status_code
        == 410
    )
    # Operators of another network cannot touch it.
    other = world.client(world.operator_b)
    assert (
        other.post(
            f"/n/{world.net_b.slug}/manage/invitations/{person.pk}/", {"action": "send"}
        ).status_code
        == 404
    )


def make_link(world: World, **fields) -> InviteLink:
    with scopes_disabled():
        return InviteLink.objects.create(network=world.net_a, label="LINE 2015年入社", **fields)


def test_links_page_shows_a_qr_code_and_a_copy_button(world: World) -> None:
    client = world.client(world.operator_a)
    response = client.post(
        f"/n/{world.net_a.slug}/manage/links/",
        {"label": "LINE 2015年入社", "role": "alumni", "max_uses": "", "valid_days": "30"},
    )
    assert response.status_code == 302
    page = client.get(f"/n/{world.net_a.slug}/manage/links/").content.decode()
    with scopes_disabled():
        link = InviteLink.objects.get(network=world.net_a)
    assert f"/n/{world.net_a.slug}/join/{link.token}/" in page
    assert "<svg" in page and "リンクをコピー" in page
    assert link.expires_at is not None and link.max_uses is None
    with scopes_disabled():
        assert AuditEntry.objects.filter(action=AuditAction.CREATE_LINK).exists()


def test_a_single_use_link_admits_one_person(world: World) -> None:
    link = make_link(world, max_uses=1, role=Role.EMPLOYEE)
    path = f"/n/{world.net_a.slug}/join/{link.token}/"
    first, second = make_user(name="一人目 さん"), make_user(name="二人目 さん")
    assert world.client(first).post(path).status_code == 302
    response = world.client(second).post(path)
    assert response.status_code == 410
    assert "利用回数の上限に達しています" in response.content.decode()
    with scopes_disabled():
        assert Membership.objects.get(network=world.net_a, user=first).role == Role.EMPLOYEE
        assert not Membership.objects.filter(user=second).exists()


def test_a_link_copies_nothing_from_the_roster(world: World) -> None:
    people = roster(world)
    link = make_link(world, max_uses=None)
    # The owner of an invited address, and someone who only typed that address into an account.
    owner = make_user(email="hr@example.jp", name="高橋 健太")
    unconfirmed = make_user(email="recent@example.jp", name="なりすまし", verified=False)
    for user in (owner, unconfirmed):
        assert (
            world.client(user).post(f"/n/{world.net_a.slug}/join/{link.token}/").status_code == 302
        )
    with scopes_disabled():
        for user in (owner, unconfirmed):
            profile = Profile.objects.get(membership__user=user)
            assert (profile.name_kanji, profile.last_department, profile.left_on) == ("", "", None)
        assert InviteLink.objects.get(pk=link.pk).uses == 2
    # The owner has joined: their invitation is closed and sends no reminder. The other stays.
    assert status(people["hr"]) == "accepted"
    assert status(people["recent"]) == "new"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(hours=1)}, "有効期限が切れています"),
        ({"revoked_at": timezone.now()}, "無効にしました"),
        ({"max_uses": 2, "uses": 2}, "上限に達しています"),
    ],
)
def test_dead_links_say_why(world: World, fields: dict, message: str) -> None:
    link = make_link(world, **fields)
    response = world.client(world.outsider).post(f"/n/{world.net_a.slug}/join/{link.token}/")
    assert response.status_code == 410
    assert message in response.content.decode()
    with scopes_disabled():
        assert not Membership.objects.filter(user=world.outsider).exists()


def test_a_link_of_another_network_and_a_revoked_link(world: World) -> None:
    link = make_link(world)
    client = world.client(world.outsider)
    response = client.get(f"/n/{world.net_b.slug}/join/{link.token}/")
    assert response.status_code == 404 and "別のネットワーク" in response.content.decode()
    operator = world.client(world.operator_a)
    operator.post(f"/n/{world.net_a.slug}/manage/links/{link.pk}/revoke/")
    assert client.post(f"/n/{world.net_a.slug}/join/{link.token}/").status_code == 410


def test_a_suspended_member_cannot_come_back_through_a_link(world: World) -> None:
    link = make_link(world)
    suspended = make_member(world.net_a, make_user(name="停止 中"), status=Status.SUSPENDED)
    response = world.client(suspended).post(f"/n/{world.net_a.slug}/join/{link.token}/")
    assert response.status_code == 403
    assert "運営事務局によって終了されています" in response.content.decode()
    with scopes_disabled():
        assert Membership.objects.get(pk=suspended.pk).status == Status.SUSPENDED
        assert InviteLink.objects.get(pk=link.pk).uses == 0


def set_who_may_invite(world: World, value: str) -> None:
    with scopes_disabled():
        OnboardingSettings.objects.update_or_create(
            network=world.net_a, defaults={"who_may_invite": value}
        )


def test_a_member_proposes_and_an_operator_approves(world: World, committed) -> None:
    set_who_may_invite(world, "approval")
    client = world.client(world.alumni_a)
    response = client.post(
        f"/n/{world.net_a.slug}/invite/",
        {"email": "friend@example.jp", "name": "友人 まさと", "message": "一緒に参加しましょう"},
    )
    assert response.status_code == 302
    assert not mail.outbox or all(m.to != ["friend@example.jp"] for m in mail.outbox)
    with scopes_disabled():
        proposal = Invitation.objects.get(email="friend@example.jp")
        assert proposal.status == "proposed"
        told = Notification.objects.filter(kind="invitation_proposed")
        assert {n.recipient_id for n in told} == {world.operator_a.user_id}
    operator = world.client(world.operator_a)
    page = operator.get(f"/n/{world.net_a.slug}/manage/invitations/?status=proposed")
    assert "友人 まさと" in page.content.decode()
    # The office reads what will be mailed under the network's name before approving it.
    assert "一緒に参加しましょう" in page.content.decode()
    with committed():
        operator.post(
            f"/n/{world.net_a.slug}/manage/invitations/{proposal.pk}/", {"action": "approve"}
        )
    friend_mail = [m for m in mail.outbox if m.to == ["friend@example.jp"]]
    assert len(friend_mail) == 1
    assert "一緒に参加しましょう" in friend_mail[0].body and "田中 花子" in friend_mail[0].body


def test_trusted_members_invite_at_once_and_nobody_invites_where_only_operators_may(
    world: World, committed
) -> None:
    set_who_may_invite(world, "trusted")
    client = world.client(world.alumni_a)
    with committed():
        client.post(f"/n/{world.net_a.slug}/invite/", {"email": "a@example.jp", "name": "友人 A"})
    assert [m.to for m in mail.outbox] == [["a@example.jp"]]
    with committed():
        again = client.post(
            f"/n/{world.net_a.slug}/invite/", {"email": "A@example.jp", "name": "A"}, follow=True
        )
    assert again.redirect_chain and "招待を送信しました" in again.content.decode()
    assert len(mail.outbox) == 1  # nobody is invited twice
    long_address = "a" * 250 + "@example.jp"
    too_long = client.post(f"/n/{world.net_a.slug}/invite/", {"email": long_address, "name": "C"})
    assert too_long.status_code == 400
    set_who_may_invite(world, "operators")
    refused = client.post(f"/n/{world.net_a.slug}/invite/", {"email": "b@example.jp", "name": "B"})
    assert refused.status_code == 403
    with scopes_disabled():
        assert not Invitation.objects.filter(email="b@example.jp").exists()


def test_a_member_invites_at_most_twenty_people_a_day(world: World, committed) -> None:
    from tsunagu.onboarding.actions import MEMBER_INVITES_PER_DAY

    set_who_may_invite(world, "trusted")
    client = world.client(world.alumni_a)
    url = f"/n/{world.net_a.slug}/invite/"
    with committed():
        for n in range(MEMBER_INVITES_PER_DAY):
            client.post(url, {"email": f"friend{n}@example.jp", "name": f"友人 {n}"})
    assert len(mail.outbox) == MEMBER_INVITES_PER_DAY
    refused = client.post(url, {"email": "one-more@example.jp", "name": "もう一人"})
    assert refused.status_code == 400
    assert "明日" in refused.content.decode()  # told when they may invite again
    assert len(mail.outbox) == MEMBER_INVITES_PER_DAY
    with scopes_disabled():
        assert not Invitation.objects.filter(email="one-more@example.jp").exists()
        Invitation.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    with committed():
        client.post(url, {"email": "one-more@example.jp", "name": "もう一人"})
    assert len(mail.outbox) == MEMBER_INVITES_PER_DAY + 1  # a day later, again


def test_a_double_click_on_invite_answers_already_invited_not_an_error(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_who_may_invite(world, "trusted")
    real = actions.invitation_needs_approval

    def first_click_lands_meanwhile(member, settings_row):  # type: ignore[no-untyped-def]
        # The other request of the double click inserts its row between the check and ours.
        Invitation.objects.create(network=world.net_a, email="twice@example.jp", name="二度")
        return real(member, settings_row)

    monkeypatch.setattr(actions, "invitation_needs_approval", first_click_lands_meanwhile)
    client = world.client(world.operator_a)
    client.raise_request_exception = False
    response = client.post(
        f"/n/{world.net_a.slug}/invite/", {"email": "twice@example.jp", "name": "二度"}
    )
    assert response.status_code == 400
    assert "すでに招待されています" in response.content.decode()


def test_members_cannot_learn_from_the_invite_form_who_is_a_member_or_in_the_roster(
    world: World, committed
) -> None:
    set_who_may_invite(world, "trusted")
    suspended = make_member(world.net_a, make_user(email="gone@example.jp", name="停止 中"))
    with scopes_disabled():
        Membership.objects.filter(pk=suspended.pk).update(status=Status.SUSPENDED)
        Invitation.objects.create(network=world.net_a, email="roster@example.jp", name="名簿 人")
    client = world.client(world.alumni_a)
    answers = {}
    for address in ("gone@example.jp", world.employee_a.user.email, "roster@example.jp",
                    "stranger@example.jp"):  # fmt: skip
        with committed():
            response = client.post(
                f"/n/{world.net_a.slug}/invite/", {"email": address, "name": "誰か"}, follow=True
            )
        answers[address] = (
            bool(response.redirect_chain),
            "招待を送信しました" in response.content.decode(),
        )
    assert set(answers.values()) == {(True, True)}
    assert [m.to for m in mail.outbox] == [["stranger@example.jp"]]
    operator = world.client(world.operator_a)
    told = operator.post(
        f"/n/{world.net_a.slug}/invite/", {"email": "gone@example.jp", "name": "X"}
    )
    assert "すでにネットワークのメンバーです" in told.content.decode()


def api(client: Client, world: World, body: object, key: str | None, network=None):
    network = network or world.net_a
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.post(
        f"/n/{network.slug}/api/offboarding/",
        json.dumps(body) if not isinstance(body, bytes) else body,
        content_type="application/json",
        **headers,
    )


def test_offboarding_hook_schedules_the_invitation_for_the_leaving_date(world: World) -> None:
    with scope(network=world.net_a):
        key = actions.new_api_key(world.operator_a)
    with scope(network=world.net_b):
        key_b = actions.new_api_key(world.operator_b)
    client = Client()
    leaving = timezone.localdate() + timedelta(days=10)
    body = {"email": "Leaver@Example.jp", "name": "退職 予定", "department": "開発部",
            "left_on": leaving.isoformat(), "joined_on": "平成27年4月1日"}  # fmt: skip
    assert api(client, world, body, None).status_code == 401
    assert api(client, world, body, key_b).status_code == 401  # B's key does not open A
    response = api(client, world, body, key)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "scheduled"
    # Only the work address is known: it is written to on the last working day, never after.
    assert response.json()["send_on"] == (leaving - timedelta(days=1)).isoformat()
    assert api(client, world, body, key).status_code == 200  # the same leaver again: updated
    with scopes_disabled():
        assert Invitation.objects.filter(email="leaver@example.jp").count() == 1
    assert send_scheduled_invitations() == 0 and not mail.outbox
    with scopes_disabled():
        Invitation.objects.filter(email="leaver@example.jp").update(send_on=timezone.localdate())
    assert send_scheduled_invitations() == 1
    assert [m.to for m in mail.outbox] == [["leaver@example.jp"]]
    with scopes_disabled():
        assert (
            AuditEntry.objects.filter(network=world.net_a, action=AuditAction.OFFBOARDING).count()
            == 2
        )
    audit = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/manage/audit/")
    assert "<td>人事システム（API）</td>" in audit.content.decode()


def test_offboarding_hook_answers_bad_input_with_a_message(world: World) -> None:
    with scope(network=world.net_a):
        key = actions.new_api_key(world.operator_a)
    client = Client()
    bad_json = api(client, world, b"{not json", key)
    assert bad_json.status_code == 400 and "error" in bad_json.json()
    missing = api(client, world, {"email": "x@example.jp"}, key)
    assert missing.status_code == 400 and "left_on" in missing.json()["fields"]
    bad_date = api(client, world, {"email": "x@example.jp", "name": "X", "left_on": "来月"}, key)
    assert bad_date.status_code == 400
    assert api(client, world, [1, 2], key).status_code == 400
    too_long = {"email": "a" * 250 + "@example.jp", "name": "X", "left_on": "2025-03-31"}
    response = api(client, world, too_long, key)
    assert response.status_code == 400 and "email" in response.json()["fields"]
    assert client.get(f"/n/{world.net_a.slug}/api/offboarding/").status_code == 405
    body = {"email": world.alumni_a.user.email, "name": "X", "left_on": "2025-03-31"}
    member = api(client, world, body, key)
    assert member.status_code == 409
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_invitations_of_one_network_never_mail_the_other_networks_roster(
    world: World, committed
) -> None:
    with scopes_disabled():
        Invitation.objects.create(network=world.net_b, email="b-roster@example.jp", name="B 名簿")
        mine = Invitation.objects.create(network=world.net_a, email="a-roster@example.jp")
    client = world.client(world.operator_a)
    with committed():
        client.post(f"/n/{world.net_a.slug}/manage/invitations/send/", {})
        # A's operator naming B's invitation by id through the bulk form reaches nothing.
        with scopes_disabled():
            b_id = Invitation.objects.get(email="b-roster@example.jp").pk
        client.post(
            f"/n/{world.net_a.slug}/manage/console/members/bulk/",
            {"action": "resend", "ids": [b_id]},
        )
    assert [m.to for m in mail.outbox] == [["a-roster@example.jp"]]
    assert "ひだまり" not in mail.outbox[0].body
    assert status(mine) == "sent"
    with scopes_disabled():
        assert Invitation.objects.get(pk=b_id).status == "new"


def test_a_member_reopening_their_spent_invitation_goes_to_the_network(world: World) -> None:
    person = invitee(world, world.alumni_a.user.email, status="accepted")
    response = world.client(world.alumni_a).get(f"/n/{world.net_a.slug}/invitation/{person.token}/")
    assert response.status_code == 302 and response["Location"] == f"/n/{world.net_a.slug}/"
