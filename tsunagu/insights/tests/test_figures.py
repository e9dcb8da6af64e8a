"""Each dashboard figure against numbers worked out by hand on a small network.

The network (today: 2026-06-15 in Tokyo, period March–June 2026):

| member | role | joined | active days | posted on |
|---|---|---|---|---|
| 佐藤 (O) | operator | 2025-12-10 | 02-28 (outside), 03-01, 04-10, 06-15 | 03-01, 06-15 |
| 青木 (A) | alumni, later made operator | 2026-03-05 | 03-06, 04-01, 04-02, 06-14 | 03-06 |
| 坂本 (B) | alumni | 2026-03-20 | 03-21, 05-05 | 05-05 |
| 千葉 (C) | alumni | 2026-04-02 | 04-03, 05-01, 06-01 | 04-03 |
| 江口 (E) | employee | 2026-05-10 | 05-10 | |
| 保坂 (P) | alumni, pending | 2026-05-01 | | |
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scope

from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.insights.figures import (
    STORED_MONTHS,
    Period,
    compute,
    figures_for,
    store_closed_months,
)
from tsunagu.insights.models import ActivityDay, Contribution, ContributionKind, MonthTotals
from tsunagu.onboarding.models import Invitation, InvitationStatus
from tsunagu.profiles.models import Profile
from tsunagu.tenancy.models import Membership, Network, Role, Status

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=TOKYO)
PERIOD = Period(date(2026, 3, 1), date(2026, 6, 1))
K = ContributionKind


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 10, 0, tzinfo=TOKYO)


def _member(network: Network, name: str, role: str, joined: date, **kw: str) -> Membership:
    member = make_member(network, make_user(name=name), role=role, **kw)
    Membership.objects.filter(pk=member.pk).update(
        created_at=at(joined.year, joined.month, joined.day)
    )
    return member


class Net:
    """The small network of the module docstring."""

    def __init__(self) -> None:
        self.network = make_network(slug="kazahana", name="風花工業 アルムナイ")
        n = self.network
        with scope(network=n):
            self.o = _member(n, "佐藤 美咲", Role.OPERATOR, date(2025, 12, 10))
            self.a = _member(n, "青木 陽菜", Role.ALUMNI, date(2026, 3, 5))
            self.b = _member(n, "坂本 蓮", Role.ALUMNI, date(2026, 3, 20))
            self.c = _member(n, "千葉 結衣", Role.ALUMNI, date(2026, 4, 2))
            self.e = _member(n, "江口 湊", Role.EMPLOYEE, date(2026, 5, 10))
            self.p = _member(n, "保坂 樹", Role.ALUMNI, date(2026, 5, 1), status=Status.PENDING)
            days = {
                self.o: [(date(2026, 2, 28), True), (date(2026, 3, 1), True),
                         (date(2026, 4, 10), False), (date(2026, 6, 15), True)],
                self.a: [(date(2026, 3, 6), True), (date(2026, 4, 1), False),
                         (date(2026, 4, 2), False), (date(2026, 6, 14), False)],
                self.b: [(date(2026, 3, 21), False), (date(2026, 5, 5), True)],
                self.c: [(date(2026, 4, 3), True), (date(2026, 5, 1), False),
                         (date(2026, 6, 1), False)],
                self.e: [(date(2026, 5, 10), False)],
            }  # fmt: skip
            ActivityDay.objects.bulk_create(
                ActivityDay(network=n, member=m, day=d, role=m.role, visited=True, posted=posted)
                for m, rows in days.items()
                for d, posted in rows
            )
            self.seq = 0
            self.add(self.o, K.THREAD, at(2026, 3, 1))
            self.add(self.a, K.COMMENT, at(2026, 3, 6))
            self.add(self.o, K.ARTICLE, at(2026, 3, 1))
            self.add(self.a, K.STAMP, at(2026, 3, 6))
            self.add(self.b, K.STAMP, at(2026, 3, 21))
            self.add(self.c, K.THREAD, at(2026, 4, 3))
            self.add(self.o, K.COMMENT, at(2026, 4, 10))
            self.add(self.c, K.STAMP, at(2026, 4, 3))
            self.add(self.c, K.ATTENDANCE, at(2026, 2, 10))
            for day, people in [
                (at(2026, 3, 10), [self.a, self.b]),
                (at(2026, 4, 20), [self.a, self.c]),
                (at(2026, 5, 25), [self.a, self.b, self.c]),
            ]:
                for person in people:
                    self.add(person, K.ATTENDANCE, day)
            # A is promoted later: the comment stays a member's, not the office's.
            Membership.objects.filter(pk=self.a.pk).update(role=Role.OPERATOR)
            for email, sent, member in [
                ("aoki@example.jp", at(2026, 3, 2), self.a),
                ("chiba@example.jp", at(2026, 4, 1), self.c),
                ("ueda@example.jp", at(2026, 5, 1), None),
                ("sakamoto@example.jp", at(2026, 1, 1), self.b),
            ]:
                Invitation.objects.create(
                    network=n,
                    email=email,
                    sent_at=sent,
                    status=InvitationStatus.ACCEPTED if member else InvitationStatus.SENT,
                    membership=member,
                    accepted_at=sent if member else None,
                )
            Invitation.objects.create(network=n, email="new@example.jp")
            for member, confirmed in [
                (self.o, at(2026, 1, 1)),
                (self.a, at(2025, 6, 1)),
                (self.c, at(2026, 6, 1)),
                (self.p, at(2026, 6, 1)),  # pending: not counted
            ]:
                Profile.objects.filter(membership=member).update(employer_confirmed_at=confirmed)

    def add(self, member: Membership, kind: str, when: datetime) -> None:
        self.seq += 1
        Contribution.objects.create(
            network=self.network,
            member=member,
            kind=kind,
            source="test.row",
            object_id=self.seq,
            role=Membership.objects.get(pk=member.pk).role,
            created_at=when,
            day=when.date(),
        )


@pytest.fixture
def net() -> Net:
    with time_machine.travel(NOW, tick=False):
        return Net()


def test_members_by_role_and_status(net: Net) -> None:
    f = compute(net.network.pk, PERIOD, TODAY)
    # A was promoted after the fact: the snapshot of today shows two operators.
    assert f.members == {
        (Role.OPERATOR, Status.ACTIVE): 2,
        (Role.ALUMNI, Status.ACTIVE): 2,
        (Role.EMPLOYEE, Status.ACTIVE): 1,
        (Role.ALUMNI, Status.PENDING): 1,
    }


def test_invitation_funnel_counts_the_period_and_the_last_30_days(net: Net) -> None:
    f = compute(net.network.pk, PERIOD, TODAY)
    # Sent in March–June: Aoki, Chiba, Ueda (Sakamoto's was in January; one never sent).
    assert (f.invited, f.joined, f.joined_active) == (3, 2, 2)
    assert f.joined_share == 66.7


def test_active_members_per_day_week_month_and_per_month(net: Net) -> None:
    f = compute(net.network.pk, PERIOD, TODAY)
    assert (f.dau, f.wau, f.mau) == (1, 2, 3)
    by_month = {r.month.month: (r.active, r.posters, r.member_days, r.days) for r in f.months}
    assert by_month == {3: (3, 2, 3, 31), 4: (3, 1, 4, 30), 5: (3, 1, 3, 31), 6: (3, 1, 3, 15)}
    assert [r.dau for r in f.months] == [0.1, 0.1, 0.1, 0.2]


def test_posters_and_readers_per_month_and_in_the_last_30_days(net: Net) -> None:
    f = compute(net.network.pk, PERIOD, TODAY)
    # Since 05-16: Sato posted on 06-15; Aoki (06-14) and Chiba (06-01) only came.
    assert (f.mau, f.mau_posters, f.mau_readers, f.poster_share) == (3, 1, 2, 33.3)
    assert [r.readers for r in f.months] == [1, 2, 2, 2]


def test_office_share_keeps_the_role_of_the_moment(net: Net) -> None:
    f = compute(net.network.pk, PERIOD, TODAY)
    assert [(r.posts, r.office_posts) for r in f.months] == [(3, 2), (2, 1), (0, 0), (0, 0)]
    assert [r.office_share for r in f.months] == [66.7, 50.0, None, None]
    assert f.office_share == 60.0


def test_stamps_and_replies_per_post(net: Net) -> None:
    f = compute(net.network.pk, PERIOD, TODAY)
    assert [r.stamps_per_post for r in f.months] == [0.67, 0.5, None, None]
    assert [r.replies_per_topic for r in f.months] == [0.5, 1.0, None, None]
    assert (f.stamps_per_post, f.replies_per_topic) == (0.6, 0.67)


def test_event_attendance_and_repeat_rate(net: Net) -> None:
    f = compute(net.network.pk, PERIOD, TODAY)
    # Chiba came in February, before the period: her April attendance is a repeat.
    assert [(r.attendance, r.repeaters) for r in f.months] == [(2, 0), (2, 2), (3, 3), (0, 0)]
    assert [r.repeat_rate for r in f.months] == [0.0, 100.0, 100.0, None]
    assert (f.attendance, f.repeat_rate) == (7, 71.4)


def test_joiner_cohorts_and_who_is_still_active(net: Net) -> None:
    f = compute(net.network.pk, PERIOD, TODAY)
    assert [r.joiners for r in f.months] == [2, 1, 1, 0]  # the pending applicant not counted
    cohorts = {c.month.month: (c.joiners, c.retained) for c in f.cohorts}
    # June is still running: no cohort is judged on it.
    assert cohorts == {
        3: (2, {1: 1, 3: None, 6: None, 12: None}),
        4: (1, {1: 1, 3: None, 6: None, 12: None}),
        5: (1, {1: None, 3: None, 6: None, 12: None}),
    }
    assert [c.share(1) for c in f.cohorts] == [50.0, 100.0, None]


def test_share_of_profiles_confirmed_in_the_last_12_months(net: Net) -> None:
    f = compute(net.network.pk, PERIOD, TODAY)
    assert (f.profiles, f.profiles_confirmed, f.confirmed_share) == (5, 2, 40.0)


def test_a_period_without_data_has_no_figures_and_no_division_by_zero(net: Net) -> None:
    f = compute(net.network.pk, Period(date(2021, 1, 1), date(2021, 3, 1)), TODAY)
    assert f.empty
    assert (f.office_share, f.repeat_rate, f.stamps_per_post, f.joined_share) == (None,) * 4
    assert f.poster_share is None
    assert [c.share(1) for c in f.cohorts] == [None, None, None]


def test_figures_are_kept_for_the_day_and_computed_again_the_next(net: Net) -> None:
    with time_machine.travel(NOW, tick=False):
        first = figures_for(net.network.pk, PERIOD)
        with scope(network=net.network):
            ActivityDay.objects.create(
                network=net.network, member=net.e, day=TODAY, role=Role.EMPLOYEE, visited=True
            )
        assert figures_for(net.network.pk, PERIOD).dau == first.dau == 1
    with time_machine.travel(datetime(2026, 6, 16, 9, 0, tzinfo=TOKYO), tick=False):
        assert figures_for(net.network.pk, PERIOD).months[-1].active == 4


def test_stored_totals_of_closed_months_give_the_same_figures(net: Net) -> None:
    live = compute(net.network.pk, PERIOD, TODAY)
    with time_machine.travel(NOW, tick=False):
        assert store_closed_months(net.network.pk, TODAY, everything=True) == STORED_MONTHS
    stored = compute(net.network.pk, PERIOD, TODAY)
    assert [vars(r) for r in stored.months] == [vars(r) for r in live.months]
    assert [vars(c) for c in stored.cohorts] == [vars(c) for c in live.cohorts]
    # Closed months are read from their totals: the record of March is not read again.
    with scope(network=net.network):
        ActivityDay.objects.filter(day__month=3).delete()
    again = compute(net.network.pk, PERIOD, TODAY)
    assert again.months[0].active == 3


def test_the_nightly_store_adds_missing_months_and_renews_the_latest_two(net: Net) -> None:
    with time_machine.travel(NOW, tick=False):
        assert store_closed_months(net.network.pk, TODAY) == STORED_MONTHS
        assert store_closed_months(net.network.pk, TODAY) == 2  # April and May again


def test_weekly_active_members_per_month_count_the_months_last_seven_days(net: Net) -> None:
    with scope(network=net.network):
        ActivityDay.objects.bulk_create(
            ActivityDay(network=net.network, member=m, day=d, role=m.role, visited=True)
            for m, d in [
                (net.e, date(2026, 3, 24)),  # a day before March's last seven
                (net.e, date(2026, 3, 28)),
                (net.b, date(2026, 3, 31)),
                (net.c, date(2026, 4, 30)),
                (net.e, date(2026, 5, 30)),
            ]
        )
    f = compute(net.network.pk, PERIOD, TODAY)
    # June runs to today: its last seven days are the WAU (Sato on 06-15, Aoki on 06-14).
    assert [r.weekly for r in f.months] == [2, 1, 1, 2]
    assert f.months[-1].weekly == f.wau == 2

    # On 3 June the week reaches back into May (Eguchi on 05-30, Chiba on 06-01).
    early = compute(net.network.pk, PERIOD, date(2026, 6, 3))
    assert (early.wau, early.months[-1].weekly, early.months[-2].weekly) == (2, 2, 1)


def test_totals_stored_before_a_figure_existed_are_computed_again(net: Net) -> None:
    with time_machine.travel(NOW, tick=False):
        store_closed_months(net.network.pk, TODAY, everything=True)
        with scope(network=net.network):
            for day in (date(2026, 3, 28), date(2026, 4, 28)):
                ActivityDay.objects.create(
                    network=net.network, member=net.e, day=day, role=Role.EMPLOYEE
                )
            march = MonthTotals.objects.get(network=net.network, month=date(2026, 3, 1))
            march.data = {k: v for k, v in march.data.items() if k != "weekly"}
            march.save()
        # March's totals lack the figure: it is read from the record, April from its totals.
        f = compute(net.network.pk, PERIOD, TODAY)
        assert [r.weekly for r in f.months] == [1, 0, 0, 2]
        # The nightly store writes March again, beside the two latest months.
        assert store_closed_months(net.network.pk, TODAY) == 3
        with scope(network=net.network):
            assert MonthTotals.objects.get(month=date(2026, 3, 1)).data["weekly"] == 1
