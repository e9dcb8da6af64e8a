"""The ranking against figures worked out by hand, the weights, and the yearly awards."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.db import IntegrityError
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.boards import actions as boards
from tsunagu.boards.tests.helpers import make_thread
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events.models import Organiser
from tsunagu.events.tests.helpers import make_event
from tsunagu.feed.actions import do_toggle_welcome
from tsunagu.insights.programme_models import Award, AwardKind, ProgrammeSettings
from tsunagu.insights.supporters import PeriodKind, period_containing, ranking
from tsunagu.insights.supporters import today as network_today
from tsunagu.tenancy.models import Membership, Network
from tsunagu.testing.world import World

from .helpers import tokyo

pytestmark = pytest.mark.django_db

NOW = tokyo(2026, 3, 20, 12, 0)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def organise(network: Network, member: Membership, starts: datetime, **fields: object) -> None:
    event = make_event(network, title="朝活もくもく会", starts_at=starts, **fields)
    with scopes_disabled():
        Organiser.objects.create(network=network, event=event, membership=member)


def build_history(world: World) -> None:
    """What each member did, in the network's days (Asia/Tokyo). Worked out by hand, with the
    default weights (post 3, stamp 1, welcome 2, event hosted 10):

    March 2026: 高橋 (supporter) 3 stamps + 1 welcome + 1 event = 3 + 2 + 10 = 15;
    田中 (alumni) 2 comments + 1 stamp = 6 + 1 = 7; 鈴木 (employee) 1 comment = 3.
    Q1 2026 adds February: 鈴木 one more comment (6), 佐藤 (operator) her thread (3).
    """
    a = world.net_a
    with scope(network=a):
        with at(tokyo(2026, 2, 1, 10, 0)):
            thread = make_thread(world.operator_a, title="春の交流会について")
        with at(tokyo(2026, 2, 28, 23, 30)):  # still February in Tokyo
            boards.do_add_comment(world.employee_a, thread, body="参加します")
        with at(tokyo(2026, 3, 1, 0, 10)):  # March in Tokyo, February in UTC
            first = boards.do_add_comment(world.employee_a, thread, body="日程はいつですか")
        with at(tokyo(2026, 3, 3, 9, 0)):
            second = boards.do_add_comment(world.alumni_a, thread, body="楽しみです")
            third = boards.do_add_comment(world.alumni_a, thread, body="友人も誘います")
            boards.do_toggle_reaction(world.alumni_a, thread, None, "like")
        with at(tokyo(2026, 3, 4, 8, 0)):
            for comment in (first, second, third):
                boards.do_toggle_reaction(world.supporter_a, thread, comment, "thanks")
            newcomer = make_member(a, make_user(name="新井 さくら"))
            do_toggle_welcome(world.supporter_a, newcomer)
    with at(tokyo(2026, 3, 4, 8, 0)):
        organise(a, world.supporter_a, tokyo(2026, 3, 5, 19, 0))
        # Not counted: an event still to come, and one called off.
        organise(a, world.employee_a, tokyo(2026, 3, 31, 19, 0))
        organise(a, world.alumni_a, tokyo(2026, 3, 6, 19, 0), called_off_at=NOW)
    # Network B's activity never shows in A's ranking.
    with scope(network=world.net_b), at(tokyo(2026, 3, 3, 9, 0)):
        other = make_thread(world.operator_b, title="ひだまりの話題")
        boards.do_add_comment(world.alumni_b, other, body="こんにちは")


def scores(world: World, kind: str, settings: ProgrammeSettings | None = None) -> dict[str, int]:
    with scope(network=world.net_a), at(NOW):
        settings = settings or ProgrammeSettings.for_network(world.net_a.pk)
        found = ranking(world.net_a.pk, period_containing(kind, date(2026, 3, 20)), settings)
    return {s.member.user.name.split()[0]: s.score for s in found}


def test_the_ranking_matches_the_figures_worked_out_by_hand(world: World) -> None:
    build_history(world)
    assert scores(world, PeriodKind.MONTH) == {"高橋": 15, "田中": 7, "鈴木": 3}
    assert list(scores(world, PeriodKind.MONTH)) == ["高橋", "田中", "鈴木"]  # best first
    assert scores(world, PeriodKind.QUARTER) == {"高橋": 15, "田中": 7, "鈴木": 6, "佐藤": 3}
    assert scores(world, PeriodKind.YEAR) == scores(world, PeriodKind.QUARTER)
    with scope(network=world.net_a), at(NOW):
        settings = ProgrammeSettings.for_network(world.net_a.pk)
        april = ranking(
            world.net_a.pk, period_containing(PeriodKind.MONTH, date(2026, 4, 1)), settings
        )
    assert april == []  # a period with nothing: an empty ranking, no error


def test_the_operators_weights_change_the_order(world: World) -> None:
    build_history(world)
    weights = ProgrammeSettings(
        network=world.net_a, weight_posts=10, weight_stamps=0, weight_welcomes=0, weight_events=1
    )
    assert scores(world, PeriodKind.MONTH, weights) == {"田中": 20, "鈴木": 10, "高橋": 1}


def test_the_ranking_page_shows_the_period_and_hides_it_from_supporters_by_default(
    world: World,
) -> None:
    build_history(world)
    url = f"/n/{world.net_a.slug}/supporters/ranking/?period=month&month=2026-03"
    with at(NOW):
        page = world.client(world.operator_a).get(url).content.decode()
        assert "2026年3月" in page or "3/2026" in page
        assert page.index("高橋 健太") < page.index("田中 花子") < page.index("鈴木 一郎")
        assert world.client(world.supporter_a).get(url).status_code == 403
        assert world.client(world.alumni_a).get(url).status_code == 403
        with scopes_disabled():
            ProgrammeSettings.objects.create(network=world.net_a, supporters_see_ranking=True)
        assert world.client(world.supporter_a).get(url).status_code == 200
        assert world.client(world.alumni_a).get(url).status_code == 403


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("?period=month&month=2026-13", "年と月で入力してください（例：2026-04）。"),
        ("?period=month&month=abc", "年と月で入力してください（例：2026-04）。"),
        ("?period=decade", "選択肢の中から選んでください（「decade」は選べません）。"),
        ("?month=1899-01", "2000年から今月までの月を選んでください。"),
    ],
)
def test_junk_periods_show_an_error_and_this_month(world: World, query: str, error: str) -> None:
    url = f"/n/{world.net_a.slug}/supporters/ranking/{query}"
    response = world.client(world.operator_a).get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert error in page
    month = network_today()
    assert f"ランキング：{month.year}年{month.month}月" in page


def test_a_control_character_in_the_period_gets_the_400_page(world: World) -> None:
    url = f"/n/{world.net_a.slug}/supporters/ranking/?month=%00"
    assert world.client(world.operator_a).get(url).status_code == 400


def test_weights_are_validated_and_saved(world: World) -> None:
    client = world.client(world.operator_a)
    url = f"/n/{world.net_a.slug}/supporters/settings/"
    bad = client.post(
        url, {"weight_posts": 101, "weight_stamps": -1, "weight_welcomes": 2, "weight_events": 5}
    )
    page = bad.content.decode()
    assert "100以下の値" in page and "0以上の値" in page
    zero = client.post(
        url, {"weight_posts": 0, "weight_stamps": 0, "weight_welcomes": 0, "weight_events": 0}
    )
    assert "少なくとも一つ" in zero.content.decode()
    client.post(
        url, {"weight_posts": 5, "weight_stamps": 1, "weight_welcomes": 4, "weight_events": 20}
    )
    with scopes_disabled():
        saved = ProgrammeSettings.objects.get(network=world.net_a)
    assert (saved.weight_posts, saved.weight_welcomes, saved.weight_events) == (5, 4, 20)
    assert world.client(world.supporter_a).post(url, {"weight_posts": 9}).status_code == 403


# --- Awards ---------------------------------------------------------------------------------


def give(world: World, kind: str, member: Membership, who: Membership | None = None):  # noqa: ANN201
    client = world.client(who or world.operator_a)
    return client.post(
        f"/n/{world.net_a.slug}/supporters/awards/",
        {"year": 2026, "kind": kind, "member": member.pk, "reason": "新人への声かけ"},
        follow=True,
    )


def test_an_award_is_shown_on_the_profile_and_the_network_page_and_audited(world: World) -> None:
    build_history(world)
    with at(NOW):
        response = give(world, AwardKind.MOST_ACTIVE, world.supporter_a)
    assert "最多活動賞" in response.content.decode()
    profile = world.client(world.alumni_a).get(
        f"/n/{world.net_a.slug}/members/{world.supporter_a.pk}/"
    )
    assert "2026年最多活動賞" in profile.content.decode()
    about = world.client(world.alumni_a).get(f"/n/{world.net_a.slug}/about/").content.decode()
    assert "2026年最多活動賞" in about and "高橋 健太" in about
    # Outsiders see the network's page, never who won.
    outsider = world.client(world.outsider).get(f"/n/{world.net_a.slug}/about/").content.decode()
    assert "高橋 健太" not in outsider and "最多活動賞" not in outsider
    with scopes_disabled():
        entry = AuditEntry.objects.get(network=world.net_a, action=AuditAction.GIVE_AWARD)
    assert entry.target_id == world.supporter_a.pk


def test_one_award_of_each_kind_a_year(world: World) -> None:
    build_history(world)
    with at(NOW):
        give(world, AwardKind.MOST_ACTIVE, world.supporter_a)
        again = give(world, AwardKind.MOST_ACTIVE, world.alumni_a)
    assert "すでに" in again.content.decode()
    with scopes_disabled():
        assert Award.objects.filter(network=world.net_a, kind=AwardKind.MOST_ACTIVE).count() == 1
        with pytest.raises(IntegrityError):
            Award.objects.create(
                network=world.net_a, year=2026, kind=AwardKind.MOST_ACTIVE, member=world.alumni_a
            )


def test_awards_go_to_members_of_the_ranking_and_the_newcomer_award_to_a_joiner(
    world: World,
) -> None:
    build_history(world)
    with scopes_disabled():
        Membership.objects.filter(pk=world.employee_a.pk).update(created_at=tokyo(2019, 4, 1, 9, 0))
    with at(NOW):
        not_new = give(world, AwardKind.NEWCOMER, world.employee_a)
        outside = give(world, AwardKind.INNOVATION, world.operator_b)
        new = give(world, AwardKind.NEWCOMER, world.alumni_a)
        by_supporter = give(world, AwardKind.INNOVATION, world.alumni_a, who=world.supporter_a)
    assert "その年に参加したメンバー" in not_new.content.decode()
    assert "ランキング" in outside.content.decode()
    assert by_supporter.status_code == 403
    with scopes_disabled():
        kinds = set(Award.objects.filter(network=world.net_a).values_list("kind", "member_id"))
    assert kinds == {(AwardKind.NEWCOMER, world.alumni_a.pk)}
    assert new.status_code == 200


def test_an_award_can_be_withdrawn_and_given_again(world: World) -> None:
    build_history(world)
    with at(NOW):
        give(world, AwardKind.INNOVATION, world.alumni_a)
        with scopes_disabled():
            award = Award.objects.get(network=world.net_a)
        client = world.client(world.operator_a)
        assert (
            world.client(world.supporter_a)
            .post(f"/n/{world.net_a.slug}/supporters/awards/{award.pk}/withdraw/")
            .status_code
            == 403
        )
        client.post(f"/n/{world.net_a.slug}/supporters/awards/{award.pk}/withdraw/")
        give(world, AwardKind.INNOVATION, world.supporter_a)
    with scopes_disabled():
        assert list(
            Award.objects.filter(network=world.net_a).values_list("member_id", flat=True)
        ) == [world.supporter_a.pk]
        actions = set(
            AuditEntry.objects.filter(network=world.net_a).values_list("action", flat=True)
        )
    assert {AuditAction.GIVE_AWARD, AuditAction.WITHDRAW_AWARD} <= actions


def test_the_ranking_page_costs_the_same_queries_with_ten_times_the_members(
    world: World, django_assert_num_queries: object
) -> None:
    client = world.client(world.operator_a)
    url = f"/n/{world.net_a.slug}/supporters/ranking/?period=year&month=2026-01"

    def contributors(count: int) -> None:
        with scope(network=world.net_a), at(tokyo(2026, 3, 3, 9, 0)):
            thread = make_thread(world.operator_a, title="雑談")
            for number in range(count):
                member = make_member(world.net_a, make_user(name=f"会員 {number}"))
                boards.do_add_comment(member, thread, body="よろしく")
                organise(world.net_a, member, tokyo(2026, 3, 2, 19, 0))

    contributors(3)
    with at(NOW):
        client.get(url)  # warm the session and the caches
        with django_assert_num_queries(QUERIES_RANKING):  # type: ignore[operator]
            assert client.get(url).status_code == 200
        contributors(30)
        with django_assert_num_queries(QUERIES_RANKING):  # type: ignore[operator]
            page = client.get(url)
    assert page.content.decode().count("会員 ") >= 33


QUERIES_RANKING = 6
