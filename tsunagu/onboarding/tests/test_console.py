"""The operators' console: members table with filters and bulk actions, the funnel, the settings,
and the audit log of every change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.onboarding.models import Invitation, OnboardingSettings
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def seen(member: Membership, days_ago: int | None) -> None:
    with scopes_disabled():
        Membership.objects.filter(pk=member.pk).update(
            last_seen_at=None if days_ago is None else timezone.now() - timedelta(days=days_ago)
        )


def members_page(world: World, **params) -> str:
    response = world.client(world.operator_a).get(
        f"/n/{world.net_a.slug}/manage/console/members/", params
    )
    assert response.status_code == 200
    return response.content.decode()


def test_members_are_found_by_name_role_status_and_last_activity(world: World) -> None:
    sleeper = make_member(world.net_a, make_user(name="休眠 次郎"))
    seen(world.alumni_a, 2)
    seen(sleeper, 200)
    assert "休眠 次郎" in members_page(world, q="休眠")
    assert "田中 花子" not in members_page(world, q="休眠")
    by_role = members_page(world, role="employee")
    assert "鈴木 一郎" in by_role and "田中 花子" not in by_role
    recent = members_page(world, seen="7")
    assert "田中 花子" in recent and "休眠 次郎" not in recent
    assert "休眠 次郎" in members_page(world, seen="over90")
    never = members_page(world, seen="never")
    assert "鈴木 一郎" in never and "休眠 次郎" not in never
    assert "山本 翔太" not in members_page(world)  # network B's alumni


def test_logging_in_marks_the_member_active(world: World, client) -> None:
    from tsunagu.core.testing.factories import PASSWORD

    client.post("/accounts/login/", {"login": world.alumni_a.user.email, "password": PASSWORD})
    with scopes_disabled():
        assert Membership.objects.get(pk=world.alumni_a.pk).last_seen_at is not None
        assert Membership.objects.get(pk=world.employee_a.pk).last_seen_at is None


def test_bulk_role_change_suspension_and_removal_are_audited(world: World) -> None:
    extra = make_member(world.net_a, make_user(name="追加 三郎"))
    client = world.client(world.operator_a)
    url = f"/n/{world.net_a.slug}/manage/console/members/bulk/"
    ids = [world.alumni_a.pk, extra.pk]
    client.post(url, {"action": "role:supporter", "ids": ids})
    client.post(url, {"action": "suspend", "ids": [extra.pk]})
    client.post(url, {"action": "remove", "ids": [world.alumni_a.pk], "confirmed": "1"})
    with scopes_disabled():
        assert Membership.objects.get(pk=world.alumni_a.pk).role == Role.SUPPORTER
        assert Membership.objects.get(pk=world.alumni_a.pk).status == Status.LEFT
        assert Membership.objects.get(pk=extra.pk).status == Status.SUSPENDED
        entries = AuditEntry.objects.filter(network=world.net_a)
        assert entries.filter(action=AuditAction.CHANGE_ROLE).count() == 2
        assert entries.filter(action=AuditAction.CHANGE_STATUS).count() == 2
    log = client.get(f"/n/{world.net_a.slug}/manage/audit/").content.decode()
    # In the table, not only among the filter's choices.
    assert "<td>メンバーの役割を変更" in log and "<td>メンバーのステータスを変更" in log


def test_a_bulk_action_that_would_leave_no_operator_changes_nobody(world: World) -> None:
    client = world.client(world.operator_a)
    ids = [world.alumni_a.pk, world.operator_a.pk, world.employee_a.pk]
    response = client.post(
        f"/n/{world.net_a.slug}/manage/console/members/bulk/",
        {"action": "role:alumni", "ids": ids},
        follow=True,
    )
    assert "誰も変更されていません" in response.content.decode()
    with scopes_disabled():
        assert Membership.objects.get(pk=world.operator_a.pk).role == Role.OPERATOR
        assert Membership.objects.get(pk=world.employee_a.pk).role == Role.EMPLOYEE
        assert not AuditEntry.objects.filter(action=AuditAction.CHANGE_ROLE).exists()


def test_bulk_actions_never_reach_another_network(world: World) -> None:
    client = world.client(world.operator_a)
    client.post(
        f"/n/{world.net_a.slug}/manage/console/members/bulk/",
        {"action": "suspend", "ids": [world.alumni_b.pk, world.operator_b.pk]},
    )
    with scopes_disabled():
        assert Membership.objects.get(pk=world.alumni_b.pk).status == Status.ACTIVE
    response = world.client(world.alumni_a).post(
        f"/n/{world.net_a.slug}/manage/console/members/bulk/",
        {"action": "suspend", "ids": [world.employee_a.pk]},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("bad", ["²", "٣", "99999999999999999999999"])
@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_malformed_ids_in_a_bulk_action_change_nobody_without_an_error(
    world: World, bad: str, action: str
) -> None:
    client = world.client(world.operator_a)
    client.raise_request_exception = False
    response = client.post(
        f"/n/{world.net_a.slug}/manage/console/members/bulk/",
        {"action": action, "ids": [bad]},
        follow=True,
    )
    assert response.status_code == 200
    with scopes_disabled():
        assert Membership.objects.get(pk=world.alumni_a.pk).status == Status.ACTIVE


def test_invited_people_are_listed_and_their_invitation_resent(world: World, committed) -> None:
    with scopes_disabled():
        waiting = Invitation.objects.create(
            network=world.net_a, email="wait@example.jp", name="返事 待ち", status="sent",
            sent_at=timezone.now() - timedelta(days=3),
        )  # fmt: skip
    page = members_page(world, status="invited")
    assert "返事 待ち" in page and "招待を再送する" in page
    with committed():
        world.client(world.operator_a).post(
            f"/n/{world.net_a.slug}/manage/console/members/bulk/",
            {"action": "resend", "ids": [waiting.pk]},
        )
    assert [m.to for m in mail.outbox] == [["wait@example.jp"]]
    world.client(world.operator_a).post(
        f"/n/{world.net_a.slug}/manage/console/members/bulk/",
        {"action": "revoke", "ids": [waiting.pk]},
    )
    with scopes_disabled():
        assert Invitation.objects.get(pk=waiting.pk).status == "revoked"


@pytest.mark.parametrize("page", ["", "?status=invited", "?seen=30&role=alumni"])
def test_the_members_table_costs_the_same_queries_for_ten_times_more_people(
    world: World, django_assert_max_num_queries, page: str
) -> None:
    def grow(n: int, start: int) -> None:
        for i in range(start, start + n):
            member = make_member(world.net_a, make_user(name=f"会員 {i}"))
            seen(member, 1)
            with scopes_disabled():
                Invitation.objects.create(
                    network=world.net_a, email=f"inv{i}@example.jp", name=f"招待 {i}",
                    status="sent", sent_at=timezone.now(),
                )  # fmt: skip

    client = world.client(world.operator_a)
    url = f"/n/{world.net_a.slug}/manage/console/members/{page}"
    grow(4, 0)
    client.get(url)  # warm the caches
    with django_assert_max_num_queries(12) as small:
        assert client.get(url).status_code == 200
    grow(40, 100)
    with django_assert_max_num_queries(12) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize(
    "page", ["manage/console/", "manage/invitations/", "manage/applications/", "manage/links/"]
)
def test_console_pages_cost_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries, page: str
) -> None:
    from tsunagu.onboarding.models import Application, InviteLink

    def grow(n: int, start: int) -> None:
        with scopes_disabled():
            for i in range(start, start + n):
                Invitation.objects.create(
                    network=world.net_a, email=f"inv{i}@example.jp", name=f"招待 {i}",
                    status="sent", invited_by=world.alumni_a,
                )  # fmt: skip
                user = make_user(name=f"申請 {i}")
                Membership.objects.create(network=world.net_a, user=user, status=Status.PENDING)
                Application.objects.create(network=world.net_a, user=user, answers=[])
                InviteLink.objects.create(network=world.net_a, label=f"リンク {i}")

    client = world.client(world.operator_a)
    url = f"/n/{world.net_a.slug}/{page}"
    grow(3, 0)
    client.get(url)
    with django_assert_max_num_queries(14) as small:
        assert client.get(url).status_code == 200
    grow(30, 100)
    with django_assert_max_num_queries(14) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_funnel_counts_invited_joined_and_active(world: World) -> None:
    with scopes_disabled():
        for i in range(4):
            Invitation.objects.create(
                network=world.net_a, email=f"s{i}@example.jp", status="sent", sent_at=timezone.now()
            )
        for member, days in ((world.alumni_a, 3), (world.employee_a, 60)):
            Invitation.objects.create(
                network=world.net_a, email=member.user.email, status="accepted",
                sent_at=timezone.now(), membership=member,
            )  # fmt: skip
            seen(member, days)
        Invitation.objects.create(network=world.net_a, email="new@example.jp")
        Invitation.objects.create(network=world.net_b, email="b@example.jp", status="sent",
                                  sent_at=timezone.now())  # fmt: skip
    page = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/manage/console/")
    html = page.content.decode()
    assert "<strong data-funnel-invited>6</strong>" in html
    assert "<strong data-funnel-joined>2</strong>" in html
    assert "<strong data-funnel-active>1</strong>" in html
    assert "(33%)" in html and "(17%)" in html


def test_settings_choose_who_may_invite_and_make_an_api_key_shown_once(world: World) -> None:
    client = world.client(world.operator_a)
    url = f"/n/{world.net_a.slug}/manage/onboarding/"
    response = client.post(url, {"who_may_invite": "trusted", "approval_note": "ようこそ！"})
    assert response.status_code == 302
    with scopes_disabled():
        row = OnboardingSettings.objects.get(network=world.net_a)
        assert row.who_may_invite == "trusted" and row.approval_note == "ようこそ！"
    bad = client.post(url, {"who_may_invite": "everyone"})
    assert bad.status_code == 400
    page = client.post(url, {"action": "new_key"}).content.decode()
    import re

    key = re.search(r"<code data-api-key>(tsk_[\w-]+)</code>", page)[1]
    later = client.get(url).content.decode()
    assert key not in later and key[-4:] in later
    with scopes_disabled():
        assert key not in OnboardingSettings.objects.get(network=world.net_a).api_key_digest
        assert AuditEntry.objects.filter(action=AuditAction.CHANGE_SETTINGS).count() == 2
    assert world.client(world.alumni_a).get(url).status_code == 403


def test_audit_entries_stay_as_written(world: World) -> None:
    client = world.client(world.operator_a)
    client.post(
        f"/n/{world.net_a.slug}/manage/console/members/bulk/",
        {"action": "suspend", "ids": [world.alumni_a.pk]},
    )
    with scopes_disabled():
        entry = AuditEntry.objects.get(action=AuditAction.CHANGE_STATUS)
        entry.detail = {}
        with pytest.raises(ValueError):
            entry.save()
        with pytest.raises(ValueError):
            entry.delete()
    page = world.client(world.operator_b).get(f"/n/{world.net_b.slug}/manage/audit/")
    # The act's name is among the filter's choices; no entry of it is in network B's table.
    assert "<td>メンバーのステータスを変更" not in page.content.decode()


def test_the_audit_log_says_from_what_to_what(world: World) -> None:
    client = world.client(world.operator_a)
    client.post(
        f"/n/{world.net_a.slug}/manage/console/members/bulk/",
        {"action": "role:supporter", "ids": [world.alumni_a.pk]},
    )
    page = client.get(f"/n/{world.net_a.slug}/manage/audit/").content.decode()
    assert "アルムナイ → サポーター" in page


def test_the_demo_has_a_roster_a_link_and_an_application_waiting(db) -> None:
    from django.core.management import call_command

    from tsunagu.onboarding.models import Application, InviteLink

    call_command("seed_demo", members=6)
    with scopes_disabled():
        assert Invitation.objects.filter(network__slug="mitsuba").count() == 30
        assert InviteLink.objects.filter(network__slug="mitsuba").exists()
        assert Application.objects.filter(network__slug="mitsuba", status="pending").count() == 1
    assert not mail.outbox  # a demo sends no invitation


def test_the_console_words_say_what_they_count(world: World) -> None:
    """「2 参加日時」 read as a date, 「参加日」 as a status, 「退会」 as the leaving date."""
    with scopes_disabled():
        Invitation.objects.create(
            network=world.net_a, email=world.alumni_a.user.email, status="accepted",
            sent_at=timezone.now(), membership=world.alumni_a,
        )  # fmt: skip
    client = world.client(world.operator_a)
    console = client.get(f"/n/{world.net_a.slug}/manage/console/").content.decode()
    invitations = client.get(f"/n/{world.net_a.slug}/manage/invitations/").content.decode()

    assert "<strong data-funnel-joined>1</strong> 人が参加" in console
    assert "参加日時" not in console
    assert "<th>退職日</th>" in invitations and "<th>退会</th>" not in invitations
    assert "参加済み" in invitations


@pytest.mark.parametrize(
    ("action", "says"),
    [("role:operator", "名簿"), ("remove", "あとでこのページから有効に戻せます")],
)
def test_making_an_operator_or_removing_someone_is_confirmed_first(
    world: World, action: str, says: str
) -> None:
    client = world.client(world.operator_a)
    url = f"/n/{world.net_a.slug}/manage/console/members/bulk/"
    asked = client.post(url, {"action": action, "ids": [world.alumni_a.pk]})

    page = asked.content.decode()
    assert asked.status_code == 200 and f'data-confirm="{action}"' in page
    assert says in page and world.alumni_a.user.name in page
    with scopes_disabled():
        unchanged = Membership.objects.get(pk=world.alumni_a.pk)
    assert (unchanged.role, unchanged.status) == (Role.ALUMNI, Status.ACTIVE)

    done = client.post(url, {"action": action, "ids": [world.alumni_a.pk], "confirmed": "1"})
    assert done.status_code == 302
    with scopes_disabled():
        changed = Membership.objects.get(pk=world.alumni_a.pk)
    assert (changed.role, changed.status) != (Role.ALUMNI, Status.ACTIVE)


def test_the_invitations_page_previews_the_mail_without_the_persons_key(world: World) -> None:
    with scopes_disabled():
        waiting = Invitation.objects.create(
            network=world.net_a, email="preview@example.jp", name="見本 花子"
        )
    page = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/manage/invitations/")
    html = page.content.decode()

    assert "data-mail-preview" in html and "preview@example.jp" in html
    assert "見本 花子" in html and world.net_a.name in html
    assert waiting.token not in html
    assert "この対象の1人をメールで招待" in html


def test_a_segment_with_nobody_waiting_says_so_and_sends_nothing(world: World) -> None:
    page = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/manage/invitations/")
    html = page.content.decode()
    assert "data-nobody" in html and "data-mail-preview" not in html
    sent = world.client(world.operator_a).post(
        f"/n/{world.net_a.slug}/manage/invitations/send/", {}, follow=True
    )
    assert "この対象に招待待ちの人はいません。" in sent.content.decode()
    assert not mail.outbox


def test_one_members_page_from_the_header_and_the_console(world: World) -> None:
    client = world.client(world.operator_a)
    home = client.get(f"/n/{world.net_a.slug}/").content.decode()
    assert f'href="/n/{world.net_a.slug}/manage/console/members/"' in home  # the header's 管理
    old = client.get(f"/n/{world.net_a.slug}/manage/members/?role=alumni")
    assert old.status_code == 302
    assert old["Location"] == f"/n/{world.net_a.slug}/manage/console/members/?role=alumni"


def test_a_removed_member_reads_as_no_longer_a_member_not_as_having_left(world: World) -> None:
    client = world.client(world.operator_a)
    url = f"/n/{world.net_a.slug}/manage/console/members/bulk/"
    client.post(url, {"action": "remove", "ids": [world.alumni_a.pk], "confirmed": "1"})
    page = client.get(f"/n/{world.net_a.slug}/manage/console/members/?status=left").content.decode()
    assert world.alumni_a.user.name in page and "参加終了" in page
