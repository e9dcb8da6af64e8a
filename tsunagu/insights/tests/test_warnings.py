"""Each early warning: a history that triggers it, and one that does not (today 2026-06-15)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django_scopes import scope

from tsunagu.boards.models import Category, Comment, Thread, ThreadKind
from tsunagu.boards.tests.helpers import make_category
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.feed.models import Welcome
from tsunagu.insights import tasks
from tsunagu.insights.figures import Period, figures_for
from tsunagu.insights.models import ActivityDay, Contribution, ContributionKind
from tsunagu.insights.rollups import DayTotals
from tsunagu.insights.warnings import Warning, measures_for, warnings_for
from tsunagu.onboarding.models import Invitation, InvitationStatus
from tsunagu.profiles.models import Profile
from tsunagu.tenancy.models import Membership, Role
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=TOKYO)
K = ContributionKind


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def warning(world: World, key: str) -> Warning:
    with scope(network=world.net_a):
        return next(w for w in warnings_for(world.net_a.pk) if w.key == key)


_seq = iter(range(1, 10**6))


def contribute(world: World, member: Membership | None, kind: str, day: date) -> None:
    with scope(network=world.net_a):
        Contribution.objects.create(
            network=world.net_a,
            member=member,
            kind=kind,
            source="test.row",
            object_id=next(_seq),
            role=member.role if member else Role.ALUMNI,
            created_at=datetime(day.year, day.month, day.day, 10, tzinfo=TOKYO),
            day=day,
        )


def people(world: World, n: int) -> list[Membership]:
    return [make_member(world.net_a, make_user(name=f"卒業生 {i}号")) for i in range(n)]


# --- the office writes most posts ----------------------------------------------------------


def test_office_writing_most_posts_warns(world: World) -> None:
    for _ in range(3):
        contribute(world, world.operator_a, K.ARTICLE, date(2026, 6, 1))
    contribute(world, world.alumni_a, K.THREAD, date(2026, 6, 2))
    for _ in range(10):  # replies to the office's articles: members taking part, not starting
        contribute(world, world.alumni_a, K.COMMENT, date(2026, 6, 2))
    w = warning(world, "office_share")
    assert w.firing
    assert "75.0%" in w.measured
    assert "50%" in w.threshold
    assert w.hint


def test_members_writing_most_posts_does_not_warn(world: World) -> None:
    contribute(world, world.operator_a, K.ARTICLE, date(2026, 6, 1))
    for kind in (K.THREAD, K.LIFE_UPDATE, K.MESSAGE):
        contribute(world, world.alumni_a, kind, date(2026, 6, 2))
    assert not warning(world, "office_share").firing


# --- MAU falling three months running ------------------------------------------------------


def _active_months(world: World, counts: dict[date, int]) -> None:
    crowd = people(world, max(counts.values()))
    with scope(network=world.net_a):
        ActivityDay.objects.bulk_create(
            ActivityDay(network=world.net_a, member=m, day=month, role=Role.ALUMNI, visited=True)
            for month, n in counts.items()
            for m in crowd[:n]
        )


def test_mau_falling_three_months_running_warns(world: World) -> None:
    _active_months(
        world, {date(2026, 2, 3): 9, date(2026, 3, 3): 7, date(2026, 4, 3): 5, date(2026, 5, 3): 4}
    )
    w = warning(world, "mau_falling")
    assert w.firing
    assert "9 → 7 → 5 → 4" in w.measured


def test_mau_falling_then_rising_does_not_warn(world: World) -> None:
    _active_months(
        world, {date(2026, 2, 3): 9, date(2026, 3, 3): 7, date(2026, 4, 3): 5, date(2026, 5, 3): 6}
    )
    assert not warning(world, "mau_falling").firing


# --- repeat rate of events falling ---------------------------------------------------------


def test_repeat_rate_falling_warns(world: World) -> None:
    regulars = people(world, 4)
    for m in regulars:  # everyone came once long ago
        contribute(world, m, K.ATTENDANCE, date(2025, 10, 1))
    for m in regulars:  # 3 months before: all of them came back (100 %)
        contribute(world, m, K.ATTENDANCE, date(2026, 2, 1))
    for m in people(world, 3):  # last 3 months: three first-timers, one regular (25 %)
        contribute(world, m, K.ATTENDANCE, date(2026, 5, 20))
    contribute(world, regulars[0], K.ATTENDANCE, date(2026, 5, 20))
    w = warning(world, "repeat_falling")
    assert w.firing
    assert "100.0% → 25.0%" in w.measured


def test_steady_repeat_rate_does_not_warn(world: World) -> None:
    regulars = people(world, 2)
    for day in (date(2025, 10, 1), date(2026, 2, 1), date(2026, 5, 20)):
        for m in regulars:
            contribute(world, m, K.ATTENDANCE, day)
    assert not warning(world, "repeat_falling").firing


# --- sign-ups stalled after invitations ----------------------------------------------------


def _invite(world: World, n: int, accepted: int) -> None:
    with scope(network=world.net_a):
        for i in range(n):
            Invitation.objects.create(
                network=world.net_a,
                email=f"invited{i}@example.jp",
                sent_at=NOW - timedelta(days=30),
                status=InvitationStatus.ACCEPTED if i < accepted else InvitationStatus.SENT,
            )


def test_invitations_without_sign_ups_warn(world: World) -> None:
    _invite(world, 10, accepted=1)
    w = warning(world, "signups_stalled")
    assert w.firing
    assert "10.0%" in w.measured


def test_invitations_that_bring_people_do_not_warn(world: World) -> None:
    _invite(world, 10, accepted=4)
    assert not warning(world, "signups_stalled").firing


# --- consultations unanswered for a week ---------------------------------------------------


def _consultation(world: World, asked: datetime) -> Thread:
    with scope(network=world.net_a):
        category = Category.objects.filter(network=world.net_a, name="仕事の相談").first()
        return Thread.objects.create(
            network=world.net_a,
            category=category or make_category(world.net_a, name="仕事の相談"),
            kind=ThreadKind.CONSULTATION,
            author=world.alumni_a,
            title="業務委託の契約書、どう確認していますか",
            body="初めての業務委託で不安です。",
            created_at=asked,
        )


def test_a_consultation_unanswered_for_a_week_warns(world: World) -> None:
    thread = _consultation(world, NOW - timedelta(days=8))
    with scope(network=world.net_a):  # the asker's own follow-up is no answer
        Comment.objects.create(
            network=world.net_a, thread=thread, number=1, author=world.alumni_a, body="補足です"
        )
    w = warning(world, "consultations")
    assert w.firing
    assert "1" in w.measured


def test_an_answered_or_recent_consultation_does_not_warn(world: World) -> None:
    thread = _consultation(world, NOW - timedelta(days=8))
    _consultation(world, NOW - timedelta(days=2))
    with scope(network=world.net_a):
        Comment.objects.create(
            network=world.net_a,
            thread=thread,
            number=1,
            author=world.supporter_a,
            body="私の経験では",
        )
    assert not warning(world, "consultations").firing


# --- newcomers nobody welcomed within three days -------------------------------------------


def _newcomer(world: World, days_ago: int) -> Membership:
    member = make_member(world.net_a, make_user(name="新人 さん"))
    with scope(network=world.net_a):
        Membership.objects.filter(pk=member.pk).update(created_at=NOW - timedelta(days=days_ago))
    return member


def test_a_newcomer_nobody_welcomed_warns(world: World) -> None:
    _newcomer(world, 4)
    w = warning(world, "newcomers")
    assert w.firing


def test_welcomed_or_brand_new_newcomers_do_not_warn(world: World) -> None:
    # The world's members joined today: too new to warn about.
    welcomed = _newcomer(world, 5)
    with scope(network=world.net_a):
        Welcome.objects.create(network=world.net_a, newcomer=welcomed, member=world.supporter_a)
    assert not warning(world, "newcomers").firing


def test_a_welcome_takes_the_warning_away_at_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    newcomer = _newcomer(world, 4)
    assert warning(world, "newcomers").firing  # measured, and kept for ten minutes
    with django_capture_on_commit_callbacks(execute=True), scope(network=world.net_a):
        Welcome.objects.create(network=world.net_a, newcomer=newcomer, member=world.supporter_a)
    assert not warning(world, "newcomers").firing


# --- no new faces at events ----------------------------------------------------------------


def test_events_with_only_regulars_warn(world: World) -> None:
    regulars = people(world, 5)
    for m in regulars:
        contribute(world, m, K.ATTENDANCE, date(2025, 12, 1))
        contribute(world, m, K.ATTENDANCE, date(2026, 5, 1))
    w = warning(world, "new_faces")
    assert w.firing
    assert "0.0%" in w.measured


def test_events_with_first_timers_do_not_warn(world: World) -> None:
    regulars = people(world, 3)
    for m in regulars:
        contribute(world, m, K.ATTENDANCE, date(2025, 12, 1))
        contribute(world, m, K.ATTENDANCE, date(2026, 5, 1))
    contribute(world, people(world, 1)[0], K.ATTENDANCE, date(2026, 5, 1))
    assert not warning(world, "new_faces").firing


# --- profiles going stale ------------------------------------------------------------------


def test_stale_profiles_warn(world: World) -> None:
    with scope(network=world.net_a):
        Profile.objects.filter(network=world.net_a).update(
            employer_confirmed_at=NOW - timedelta(days=500)
        )
    w = warning(world, "profiles_stale")
    assert w.firing
    assert "0.0%" in w.measured


def test_fresh_profiles_do_not_warn(world: World) -> None:
    with scope(network=world.net_a):
        Profile.objects.filter(network=world.net_a).update(
            employer_confirmed_at=NOW - timedelta(days=30)
        )
    assert not warning(world, "profiles_stale").firing


def test_the_letter_counts_profiles_again_after_the_dashboard_counted_them(world: World) -> None:
    # The dashboard's figures keep the day's count of members, which its warnings then read;
    # a fresh measure (the monthly letter, the nightly task) counts again.
    with scope(network=world.net_a):
        figures_for(world.net_a.pk, Period.last_months(3, NOW.date()))
        before = measures_for(world.net_a.pk).profiles
        people(world, 2)
        assert measures_for(world.net_a.pk, fresh=True).profiles == before + 2
        w = next(w for w in warnings_for(world.net_a.pk) if w.key == "profiles_stale")
    assert f"{before + 2}人中" in w.measured


# --- an empty network ----------------------------------------------------------------------


def test_a_new_network_with_no_history_raises_no_false_alarm(world: World) -> None:
    with scope(network=world.net_a):
        Profile.objects.filter(network=world.net_a).update(employer_confirmed_at=NOW)
    firing = [w.key for w in warnings_for(world.net_a.pk) if w.firing]
    assert firing == []


# --- the monthly letter --------------------------------------------------------------------


def test_the_monthly_letter_reaches_operators_in_their_language(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    for _ in range(3):
        contribute(world, world.operator_a, K.ARTICLE, date(2026, 5, 30))
    first_of_july = datetime(2026, 7, 1, 9, 0, tzinfo=TOKYO)
    with (
        time_machine.travel(first_of_july, tick=False),
        django_capture_on_commit_callbacks(execute=True),  # type: ignore[operator]
        scope(network=world.net_a),
    ):
        sent = tasks.send_network_warnings(world.net_a.pk)
    assert sent == 1  # the one operator of network A
    [letter] = [m for m in mail.outbox if world.operator_a.user.email in m.to]
    assert "事務局" in letter.body  # the user's language is Japanese by default
    assert "50%" in letter.body


def test_no_letter_when_all_is_well(world: World) -> None:
    with scope(network=world.net_a):
        Profile.objects.filter(network=world.net_a).update(employer_confirmed_at=NOW)
        assert tasks.send_network_warnings(world.net_a.pk) == 0
    assert mail.outbox == []


def test_the_letter_goes_out_only_on_the_first_of_the_month(world: World) -> None:
    for _ in range(3):
        contribute(world, world.operator_a, K.ARTICLE, date(2026, 6, 10))
    assert tasks.send_monthly_warnings() == 0  # the 15th


# --- the days that are over, stored (day_totals) -------------------------------------------


def _office_share(world: World) -> str:
    cache.clear()  # as after a lost cache: the measures are taken again, not read back
    return warning(world, "office_share").measured


def test_days_that_are_over_are_stored_and_today_is_counted_from_the_record(
    world: World,
) -> None:
    for _ in range(3):
        contribute(world, world.operator_a, K.ARTICLE, date(2026, 6, 1))
    contribute(world, world.alumni_a, K.THREAD, date(2026, 6, 2))
    assert "75.0%" in _office_share(world)
    with scope(network=world.net_a):
        stored = DayTotals.objects.filter(network=world.net_a)
        assert stored.filter(day=date(2026, 6, 1)).get().office_posts == 3
        assert not stored.filter(day=date(2026, 6, 15)).exists()  # today is not over
    for _ in range(3):  # members write today: the share moves at once
        contribute(world, world.alumni_a, K.THREAD, date(2026, 6, 15))
    assert "42.9%" in _office_share(world)
    assert not warning(world, "office_share").firing


def test_the_nightly_refresh_counts_the_stored_days_again(world: World) -> None:
    contribute(world, world.operator_a, K.ARTICLE, date(2026, 6, 1))
    contribute(world, world.alumni_a, K.THREAD, date(2026, 6, 2))
    assert "50.0%" in _office_share(world)
    # A backfill writes the past: the stored days say what they counted until the night.
    contribute(world, world.alumni_a, K.THREAD, date(2026, 6, 3))
    assert "50.0%" in _office_share(world)
    tasks.refresh_network_figures(world.net_a.pk)
    assert "33.3%" in _office_share(world)


def test_a_range_with_a_day_missing_is_counted_again(world: World) -> None:
    contribute(world, world.operator_a, K.ARTICLE, date(2026, 6, 1))
    contribute(world, world.alumni_a, K.THREAD, date(2026, 6, 2))
    _office_share(world)
    contribute(world, world.alumni_a, K.THREAD, date(2026, 6, 3))
    with scope(network=world.net_a):
        DayTotals.objects.filter(network=world.net_a, day=date(2026, 6, 10)).delete()
    assert "33.3%" in _office_share(world)
