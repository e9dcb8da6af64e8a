"""What lands in each member's digest: only what their role may see, only their network's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.boards.tests.helpers import make_category, make_thread
from tsunagu.careers.actions import FlagChoice, do_set_flags
from tsunagu.careers.tests.helpers import make_opportunity
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.digest.models import DigestSent, DigestState, Frequency
from tsunagu.digest.prefs import do_set_frequency
from tsunagu.events.models import Event, Registration, RegistrationStatus
from tsunagu.events.tests.helpers import make_event
from tsunagu.profiles.models import LifeUpdate, Profile, Tag
from tsunagu.surveys.models import Participation
from tsunagu.surveys.tests.helpers import make_survey
from tsunagu.talk.actions import do_open_direct, do_send_message
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import CANARY_A, World

from .helpers import any_hour, mails_to, make_article, run_digests, settled, text_of

pytestmark = pytest.mark.usefixtures("any_hour", "settled")
__all__ = ["any_hour", "settled"]


def test_an_employees_only_event_never_reaches_an_alumnus(world: World) -> None:
    make_event(world.net_a, title="全員の新年会", audience="all")
    make_event(world.net_a, title=f"社員限定 事業説明会 {CANARY_A}", audience="employees")
    make_event(world.net_a, title="アルムナイ限定 同窓会", audience="alumni")
    run_digests(world.net_a)

    [alumnus] = mails_to(world.alumni_a.user.email)
    [employee] = mails_to(world.employee_a.user.email)
    assert "全員の新年会" in text_of(alumnus) and "アルムナイ限定 同窓会" in text_of(alumnus)
    assert "社員限定 事業説明会" not in text_of(alumnus)
    assert "社員限定 事業説明会" in text_of(employee)
    assert "アルムナイ限定 同窓会" not in text_of(employee)


def test_only_events_the_member_can_still_join(world: World) -> None:
    make_event(world.net_a, title="新年会（申込受付中）")
    applied = make_event(world.net_a, title="勉強会（申込済み）")
    full = make_event(world.net_a, title="工場見学（満席）", capacity=1, waitlist=False)
    waiting = make_event(world.net_a, title="忘年会（キャンセル待ち）", capacity=1, waitlist=True)
    declined = make_event(world.net_a, title="経営塾（選考あり）", needs_approval=True)
    with scopes_disabled():
        for event, user, status in (
            (applied, world.alumni_a.user, RegistrationStatus.CONFIRMED),
            (full, world.employee_a.user, RegistrationStatus.CONFIRMED),
            (waiting, world.employee_a.user, RegistrationStatus.CONFIRMED),
            (declined, world.alumni_a.user, RegistrationStatus.DECLINED),
        ):
            Registration.objects.create(network=world.net_a, event=event, user=user, status=status)
    run_digests(world.net_a)

    alumnus = text_of(mails_to(world.alumni_a.user.email)[0])
    assert "新年会（申込受付中）" in alumnus
    # Full, but its waiting list takes her application.
    assert "忘年会（キャンセル待ち）" in alumnus
    assert "勉強会（申込済み）" not in alumnus  # she has a place already
    assert "経営塾（選考あり）" not in alumnus  # her application was declined
    assert "工場見学（満席）" not in alumnus  # no place left and no waiting list
    supporter = text_of(mails_to(world.supporter_a.user.email)[0])
    assert "勉強会（申込済み）" in supporter and "経営塾（選考あり）" in supporter
    assert "工場見学（満席）" not in supporter
    # Nor for the one who holds the last place: it is in their calendar already.
    employee = text_of(mails_to(world.employee_a.user.email)[0])
    assert "工場見学（満席）" not in employee and "忘年会（キャンセル待ち）" not in employee


def test_another_networks_data_never_appears(world: World) -> None:
    make_event(world.net_a, title=f"三ツ葉の交流会 {CANARY_A}")
    make_article(world.operator_a, f"三ツ葉の社内報 {CANARY_A}")
    make_event(world.net_b, title="ひだまりの芋煮会")
    run_digests(world.net_a)
    run_digests(world.net_b)

    b_addresses = {m.user.email for m in (world.operator_b, world.supporter_b, world.alumni_b)}
    a_addresses = {
        m.user.email
        for m in (world.operator_a, world.supporter_a, world.employee_a, world.alumni_a)
    }
    for message in mail.outbox:
        if message.to[0] in b_addresses:
            assert CANARY_A not in text_of(message)
            assert "ひだまりの芋煮会" in text_of(message)
        else:
            assert message.to[0] in a_addresses
            assert "ひだまりの芋煮会" not in text_of(message)
    assert {m.to[0] for m in mail.outbox} == a_addresses | b_addresses


def test_a_member_of_two_networks_gets_two_digests_each_with_its_own_news(world: World) -> None:
    both = world.alumni_a.user
    make_member(world.net_b, both)
    make_event(world.net_a, title=f"三ツ葉の勉強会 {CANARY_A}")
    make_event(world.net_b, title="ひだまりの読書会")
    run_digests(world.net_a)
    run_digests(world.net_b)

    mine = mails_to(both.email)
    assert len(mine) == 2
    [from_a] = [m for m in mine if world.net_a.name in m.subject]
    [from_b] = [m for m in mine if world.net_b.name in m.subject]
    assert "三ツ葉の勉強会" in text_of(from_a) and "ひだまりの読書会" not in text_of(from_a)
    assert "ひだまりの読書会" in text_of(from_b) and "三ツ葉の勉強会" not in text_of(from_b)
    # Each unsubscribe link names its own network.
    assert f"/n/{world.net_a.slug}/digest/unsubscribe/" in from_a.extra_headers["List-Unsubscribe"]
    assert f"/n/{world.net_b.slug}/digest/unsubscribe/" in from_b.extra_headers["List-Unsubscribe"]


def test_nothing_new_nothing_sent(world: World) -> None:
    run_digests(world.net_a)
    assert mail.outbox == []
    with scopes_disabled():
        states = set(DigestSent.objects.filter(network=world.net_a).values_list("state", flat=True))
    assert states == {DigestState.EMPTY}


def test_what_came_before_the_last_visit_is_not_new(world: World) -> None:
    make_event(world.net_a, title="先週の告知")
    with scopes_disabled():
        type(world.alumni_a).objects.filter(pk=world.alumni_a.pk).update(
            last_seen_at=timezone.now() + timedelta(seconds=1)
        )
    run_digests(world.net_a)
    assert mails_to(world.alumni_a.user.email) == []
    assert len(mails_to(world.employee_a.user.email)) == 1


def test_a_member_who_turned_the_digest_off_gets_nothing(world: World) -> None:
    with scope(network=world.net_a):
        do_set_frequency(world.net_a, world.alumni_a.user_id, Frequency.OFF)
    make_event(world.net_a, title="秋の交流会")
    make_article(world.operator_a, "社内報 10月号")
    run_digests(world.net_a)
    assert mails_to(world.alumni_a.user.email) == []
    assert len(mails_to(world.employee_a.user.email)) == 1


def test_a_second_run_the_same_week_sends_nothing_more(world: World) -> None:
    make_event(world.net_a, title="秋の交流会")
    run_digests(world.net_a)
    first = len(mail.outbox)
    assert first == 4
    make_event(world.net_a, title="冬の交流会")
    run_digests(world.net_a)
    assert len(mail.outbox) == first


def test_operators_get_it_weekly_and_alumni_monthly_by_default(world: World) -> None:
    nine_days_ago = timezone.now() - timedelta(days=9)
    make_event(world.net_a, title="秋の交流会", created_at=nine_days_ago)
    with scopes_disabled():
        Event.objects.filter(title="秋の交流会").update(created_at=nine_days_ago)
    run_digests(world.net_a)
    # A month reaches nine days back; the operator's week does not.
    assert world.operator_a.user.email not in {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == 3
    with scopes_disabled():
        eight_days_ago = timezone.now() - timedelta(days=8)
        DigestSent.objects.filter(network=world.net_a).update(
            created_at=eight_days_ago, sent_at=eight_days_ago, period="2000-01-01"
        )
    make_event(world.net_a, title="冬の交流会")
    mail.outbox.clear()
    run_digests(world.net_a)
    assert [m.to[0] for m in mail.outbox] == [world.operator_a.user.email]
    assert "冬の交流会" in text_of(mail.outbox[0])
    assert "秋の交流会" not in text_of(mail.outbox[0])  # sent last time


def test_consultations_reach_the_members_whose_skills_they_name(world: World) -> None:
    from tsunagu.profiles.indexing import reindex

    helper = world.alumni_a
    stranger = make_member(world.net_a, make_user(name="中村 次郎"))
    with scopes_disabled():
        tag = Tag.objects.create(
            network=world.net_a, kind="skill", name="補助金", normalized="補助金"
        )
        profile = Profile.objects.select_related("membership__user").get(membership=helper)
        profile.tags.add(tag)
        reindex(profile)
    make_thread(
        world.employee_a,
        category=make_category(world.net_a, name="相談"),
        kind="consultation",
        title="ＩＴ導入補助金の申請について",
    )
    run_digests(world.net_a)
    assert "ＩＴ導入補助金の申請について" in text_of(mails_to(helper.user.email)[0])
    # Supporters and operators hear of every consultation, as boards tells them.
    assert "ＩＴ導入補助金の申請について" in text_of(mails_to(world.supporter_a.user.email)[0])
    assert mails_to(stranger.user.email) == []


def test_opportunities_reach_members_open_to_them(world: World) -> None:
    with scope(network=world.net_a):
        do_set_flags(world.alumni_a, [FlagChoice("side_job", "me")])
    make_opportunity(world.operator_a, kind="side_job", title="週末の副業：SaaS の導入支援")
    run_digests(world.net_a)
    [alumnus] = mails_to(world.alumni_a.user.email)
    assert "週末の副業：SaaS の導入支援" in text_of(alumnus)
    # The supporter set no "open to" flag: the opportunity is not theirs to hear of.
    assert mails_to(world.supporter_a.user.email) == []


def test_open_surveys_reach_the_invited_who_have_not_answered(world: World) -> None:
    survey = make_survey(world.net_a, title="アルムナイ満足度調査 2026", audience="alumni")
    with scopes_disabled():
        Participation.objects.create(
            network=world.net_a, survey=survey, user=world.supporter_a.user
        )
    run_digests(world.net_a)
    assert "アルムナイ満足度調査 2026" in text_of(mails_to(world.alumni_a.user.email)[0])
    assert mails_to(world.supporter_a.user.email) == []  # answered already
    assert mails_to(world.employee_a.user.email) == []  # not asked


def test_life_updates_of_people_from_the_same_department(world: World) -> None:
    colleague = make_member(world.net_a, make_user(name="小林 実"))
    with scopes_disabled():
        Profile.objects.filter(membership__in=[colleague, world.alumni_a]).update(
            last_department="法人営業部"
        )
        LifeUpdate.objects.create(
            network=world.net_a, membership=colleague, body="独立して会社を立ち上げました"
        )
    run_digests(world.net_a)
    assert "独立して会社を立ち上げました" in text_of(mails_to(world.alumni_a.user.email)[0])
    assert mails_to(world.employee_a.user.email) == []  # another department, never talked


def test_life_updates_of_people_one_talks_with_privately(world: World) -> None:
    friend = make_member(world.net_a, make_user(name="木村 優"))
    stranger = make_member(world.net_a, make_user(name="加藤 誠"))
    with scopes_disabled():
        Profile.objects.filter(membership=world.alumni_a).update(last_department="法人営業部")
        Profile.objects.filter(membership=friend).update(last_department="経理部")
        Profile.objects.filter(membership=stranger).update(last_department="人事部")
    with scope(network=world.net_a):
        room = do_open_direct(world.alumni_a, friend)
        do_send_message(friend, room, body="お久しぶりです", client_id="digest-friend-1")
    mail.outbox.clear()
    with scopes_disabled():
        LifeUpdate.objects.create(
            network=world.net_a, membership=friend, body="福岡に引っ越しました"
        )
        LifeUpdate.objects.create(
            network=world.net_a, membership=stranger, body=f"転職しました {CANARY_A}"
        )
    run_digests(world.net_a)
    [mine] = mails_to(world.alumni_a.user.email)
    assert "福岡に引っ越しました" in text_of(mine)
    # Another department, never talked with: not someone she knows.
    assert "転職しました" not in text_of(mine)
    assert mails_to(world.employee_a.user.email) == []


def test_supporters_see_newcomers_waiting_for_a_welcome(world: World) -> None:
    newcomer = make_member(world.net_a, make_user(name="新人 さくら"), role=Role.ALUMNI)
    run_digests(world.net_a)
    assert "新人 さくら" in text_of(mails_to(world.supporter_a.user.email)[0])
    assert "新人 さくら" in text_of(mails_to(world.operator_a.user.email)[0])
    assert mails_to(world.alumni_a.user.email) == []
    assert mails_to(newcomer.user.email) == []


def test_the_digest_is_in_the_members_language_and_time_zone(world: World) -> None:
    user = world.alumni_a.user
    user.language, user.time_zone = "en", "Europe/London"
    user.save()
    starts = timezone.now().replace(microsecond=0) + timedelta(days=3)
    make_event(world.net_a, title="Autumn meetup", starts_at=starts)
    run_digests(world.net_a)
    [message] = mails_to(user.email)
    assert message.subject == f"This month at {world.net_a.name}"
    london = timezone.localtime(starts, timezone=__import__("zoneinfo").ZoneInfo("Europe/London"))
    assert london.strftime("%H:%M") in message.body
    [japanese] = mails_to(world.employee_a.user.email)
    assert "今月の" in japanese.subject or world.net_a.name in japanese.subject
