"""Approval-based joining: answers and a declaration, the operators' queue with the roster match,
a bilingual answer either way."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.core.testing.factories import make_user
from tsunagu.notify.models import Notification
from tsunagu.onboarding.models import Application, Invitation, OnboardingSettings
from tsunagu.profiles.models import Profile
from tsunagu.tenancy.models import Membership, Status
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db

QUESTIONS = ["在籍していた部署と期間を教えてください", "参加のきっかけは？"]


@pytest.fixture
def network(world: World):
    world.net_a.join_questions = QUESTIONS
    world.net_a.eligibility = "三ツ葉商事を退職した方、および現役社員"
    world.net_a.save()
    return world.net_a


def apply(client, network, *, declare: bool = True, answers=("営業部に2010〜2018年", "同期の紹介")):
    data = {"q0": answers[0], "q1": answers[1]}
    if declare:
        data["declaration"] = "on"
    return client.post(f"/n/{network.slug}/apply/", data)


def test_an_applicant_answers_the_questions_and_waits(world: World, network) -> None:
    applicant = make_user(email="apply@example.jp", name="応募 花子")
    client = world.client(applicant)
    page = client.get(f"/n/{network.slug}/apply/").content.decode()
    assert "在籍していた部署と期間を教えてください" in page
    assert "三ツ葉商事を退職した方" in page
    response = apply(client, network)
    assert response.status_code == 302
    with scopes_disabled():
        membership = Membership.objects.get(network=network, user=applicant)
        application = Application.objects.get(network=network, user=applicant)
        told = Notification.objects.filter(kind="join_application")
        assert {n.recipient_id for n in told} == {world.operator_a.user_id}
        assert not Notification.objects.filter(network=world.net_b).exists()
    assert membership.status == Status.PENDING
    assert application.answers[0] == {"question": QUESTIONS[0], "answer": "営業部に2010〜2018年"}
    # Still outside: the network's pages send them to the public page that says they wait.
    home = client.get(f"/n/{network.slug}/", follow=True).content.decode()
    assert "事務局の承認待ち" in home or "承認を待って" in home


def test_applying_twice_or_without_declaring_is_refused_with_a_reason(
    world: World, network
) -> None:
    client = world.client(make_user(name="応募 次郎"))
    missing = apply(client, network, declare=False)
    assert missing.status_code == 400
    assert "参加条件を満たしていることを確認してください" in missing.content.decode()
    empty = apply(client, network, answers=("", ""))
    assert empty.status_code == 400
    assert apply(client, network).status_code == 302
    again = client.get(f"/n/{network.slug}/apply/")
    assert "すでに申請済みです" in again.content.decode()
    apply(client, network)
    with scopes_disabled():
        assert Application.objects.filter(network=network).count() == 1


def test_an_application_sent_twice_at_once_waits_once_without_an_error(
    world: World, network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tsunagu.onboarding import actions

    applicant = make_user(email="twice@example.jp", name="二度 押子")
    real = actions.do_add_member

    def other_click_lands_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        membership = real(*args, **kwargs)
        Application.objects.create(network=network, user=applicant, declared_eligible=True)
        return membership

    monkeypatch.setattr(actions, "do_add_member", other_click_lands_meanwhile)
    client = world.client(applicant)
    client.raise_request_exception = False
    response = apply(client, network)
    assert response.status_code == 400
    assert "すでに申請済みです" in response.content.decode()


def test_a_member_is_sent_home_and_a_suspended_member_cannot_apply(world: World, network) -> None:
    response = world.client(world.alumni_a).get(f"/n/{network.slug}/apply/")
    assert response.status_code == 302
    from tsunagu.core.testing.factories import make_member

    suspended = make_member(network, make_user(name="停止 中"), status=Status.SUSPENDED)
    client = world.client(suspended)
    assert (
        "運営事務局によって終了されています"
        in client.get(f"/n/{network.slug}/apply/").content.decode()
    )
    apply(client, network)
    with scopes_disabled():
        assert Membership.objects.get(pk=suspended.pk).status == Status.SUSPENDED
        assert not Application.objects.exists()


def test_approval_with_a_roster_match_prefills_and_answers_in_both_languages(
    world: World, network, committed
) -> None:
    with scopes_disabled():
        Invitation.objects.create(
            network=network, email="apply@example.jp", name="応募 花子", department="営業部",
            left_on=datetime.date(2018, 3, 31),
        )  # fmt: skip
        OnboardingSettings.objects.create(network=network, approval_note="まずは自己紹介をどうぞ。")
    applicant = make_user(email="apply@example.jp", name="応募 花子", language="en")
    apply(world.client(applicant), network)
    operator = world.client(world.operator_a)
    queue = operator.get(f"/n/{network.slug}/manage/applications/").content.decode()
    assert "営業部に2010〜2018年" in queue
    assert "名簿に一致" in queue and "2018年3月31日" in queue
    with scopes_disabled():
        application = Application.objects.get(user=applicant)
    mail.outbox.clear()
    with committed():
        response = operator.post(
            f"/n/{network.slug}/manage/applications/{application.pk}/", {"decision": "approve"}
        )
    assert response.status_code == 302
    with scopes_disabled():
        membership = Membership.objects.get(network=network, user=applicant)
        profile = Profile.objects.get(membership=membership)
        assert AuditEntry.objects.get(action=AuditAction.APPROVE).target_id == membership.pk
        assert Invitation.objects.get(email="apply@example.jp").status == "accepted"
    assert membership.status == Status.ACTIVE
    assert profile.last_department == "営業部"
    decision = [m for m in mail.outbox if m.to == ["apply@example.jp"] and "approved" in m.body]
    assert len(decision) == 1
    # One mail says both "approved" and "welcome"; the welcome also waits in the app.
    assert [m.to for m in mail.outbox] == [["apply@example.jp"]]
    with scopes_disabled():
        assert Notification.objects.filter(recipient=applicant, kind="welcome").count() == 1
    body = decision[0].body
    # Written in the applicant's language first, then in Japanese, with the office's note.
    assert body.index("has been approved") < body.index("承認されました")
    assert "まずは自己紹介をどうぞ。" in body
    assert world.client(applicant).get(f"/n/{network.slug}/").status_code == 200


def test_rejection_tells_the_applicant_and_lets_them_apply_again_later(
    world: World, network, committed
) -> None:
    applicant = make_user(email="no@example.jp", name="不承認 太郎")
    client = world.client(applicant)
    apply(client, network)
    with scopes_disabled():
        application = Application.objects.get(user=applicant)
    operator = world.client(world.operator_a)
    with committed():
        operator.post(
            f"/n/{network.slug}/manage/applications/{application.pk}/",
            {"decision": "reject", "note": "在籍の確認が取れませんでした。"},
        )
    [message] = [m for m in mail.outbox if m.to == ["no@example.jp"]]
    assert "お受けできませんでした" in message.body and "could not accept" in message.body
    assert "在籍の確認が取れませんでした。" in message.body
    with scopes_disabled():
        assert not Membership.objects.filter(network=network, user=applicant).exists()
        assert AuditEntry.objects.filter(action=AuditAction.REJECT).count() == 1
    # Deciding again changes nothing and says so.
    again = operator.post(
        f"/n/{network.slug}/manage/applications/{application.pk}/",
        {"decision": "approve"},
        follow=True,
    )
    assert "すでに判断済みです" in again.content.decode()
    with scopes_disabled():
        assert not Membership.objects.filter(network=network, user=applicant).exists()
    assert apply(client, network).status_code == 302  # a second chance
    with scopes_disabled():
        assert Application.objects.filter(user=applicant).count() == 2


def test_approving_an_applicant_the_office_suspended_meanwhile_does_not_let_them_in(
    world: World, network
) -> None:
    applicant = make_user(email="spam@example.jp", name="迷惑 太郎")
    client = world.client(applicant)
    apply(client, network)
    with scopes_disabled():
        application = Application.objects.get(user=applicant)
        pending = Membership.objects.get(network=network, user=applicant)
    operator = world.client(world.operator_a)
    operator.post(
        f"/n/{network.slug}/manage/console/members/bulk/",
        {"action": "suspend", "ids": [pending.pk]},
    )
    response = operator.post(
        f"/n/{network.slug}/manage/applications/{application.pk}/",
        {"decision": "approve"},
        follow=True,
    )
    assert "停止" in response.content.decode()
    with scopes_disabled():
        assert Membership.objects.get(pk=pending.pk).status == Status.SUSPENDED
        assert Application.objects.get(pk=application.pk).status == "pending"
    assert client.get(f"/n/{network.slug}/").status_code == 403


def test_an_applicant_let_in_from_the_members_page_keeps_their_role_when_approved(
    world: World, network
) -> None:
    applicant = make_user(email="early@example.jp", name="先行 入会")
    apply(world.client(applicant), network)
    with scopes_disabled():
        application = Application.objects.get(user=applicant)
        pending = Membership.objects.get(network=network, user=applicant)
    operator = world.client(world.operator_a)
    bulk = f"/n/{network.slug}/manage/console/members/bulk/"
    operator.post(bulk, {"action": "reactivate", "ids": [pending.pk]})
    operator.post(bulk, {"action": "role:employee", "ids": [pending.pk]})
    decide = f"/n/{network.slug}/manage/applications/{application.pk}/"
    refused = operator.post(decide, {"decision": "reject"}, follow=True)
    assert "すでに有効なメンバーです" in refused.content.decode()
    with scopes_disabled():
        assert Membership.objects.get(pk=pending.pk).status == Status.ACTIVE
        assert Application.objects.get(pk=application.pk).status == "pending"
        welcomes = Notification.objects.filter(kind="welcome", recipient=applicant).count()
    operator.post(decide, {"decision": "approve"})
    with scopes_disabled():
        member = Membership.objects.get(pk=pending.pk)
        assert (member.status, member.role) == (Status.ACTIVE, "employee")
        assert Application.objects.get(pk=application.pk).status == "approved"
        assert Notification.objects.filter(kind="welcome", recipient=applicant).count() == welcomes


def test_a_long_note_with_line_breaks_is_kept_and_a_too_long_one_is_named(
    world: World, network
) -> None:
    operator = world.client(world.operator_a)
    applicants = []
    for email in ("long@example.jp", "longer@example.jp"):
        applicant = make_user(email=email, name="長文 宛子")
        apply(world.client(applicant), network)
        with scopes_disabled():
            applicants.append(Application.objects.get(user=applicant))
    # 1,960 characters as typed fit the 2,000 the page allows; sent with CRLF breaks, 2,240.
    note = "確認しました\r\n" * 280
    operator.post(
        f"/n/{network.slug}/manage/applications/{applicants[0].pk}/",
        {"decision": "reject", "note": note},
    )
    with scopes_disabled():
        decided = Application.objects.get(pk=applicants[0].pk)
    assert decided.status == "rejected" and decided.note.startswith("確認しました\n確認しました")
    response = operator.post(
        f"/n/{network.slug}/manage/applications/{applicants[1].pk}/",
        {"decision": "reject", "note": "長" * 2001},
        follow=True,
    )
    assert "2000文字以内" in response.content.decode()
    with scopes_disabled():
        assert Application.objects.get(pk=applicants[1].pk).status == "pending"


def test_an_operator_of_another_network_cannot_decide(world: World, network) -> None:
    applicant = make_user(name="応募 三郎")
    apply(world.client(applicant), network)
    with scopes_disabled():
        application = Application.objects.get(user=applicant)
    other = world.client(world.operator_b)
    response = other.post(
        f"/n/{world.net_b.slug}/manage/applications/{application.pk}/", {"decision": "approve"}
    )
    assert response.status_code == 404
    assert (
        world.client(world.alumni_a)
        .post(f"/n/{network.slug}/manage/applications/{application.pk}/", {"decision": "approve"})
        .status_code
        == 403
    )
    with scopes_disabled():
        assert Application.objects.get(pk=application.pk).status == "pending"
        assert Membership.objects.get(user=applicant).status == Status.PENDING
    page = world.client(world.operator_b).get(f"/n/{world.net_b.slug}/manage/applications/")
    assert "応募 三郎" not in page.content.decode()


def test_the_queue_hints_at_a_roster_entry_with_the_same_name(world: World, network) -> None:
    with scopes_disabled():
        Invitation.objects.create(
            network=network, email="old-address@example.jp", name="応募 花子", department="経理部"
        )
    apply(world.client(make_user(email="new-address@example.jp", name="応募　花子")), network)
    queue = world.client(world.operator_a).get(f"/n/{network.slug}/manage/applications/")
    html = queue.content.decode()
    assert "名簿に同じ名前の方がいます" in html and "old-address@example.jp" in html
    assert "名簿に一致" not in html
