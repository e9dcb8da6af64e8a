"""The list's pages are kept for every reader of one audience (listing.py): each change a reader
would notice shows at the next request, and no reader sees what only another role may see."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scope

from tsunagu.careers.models import Status as AnswerStatus
from tsunagu.tenancy.actions import do_leave_network
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import World

from .helpers import answer, make_opportunity, reload, url

pytestmark = pytest.mark.django_db


def listed(world: World, member: object, query: str = "") -> str:
    response = world.client(member).get(url(world) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_reader_of_another_role_never_gets_what_the_builder_could_see(world: World) -> None:
    make_opportunity(world.employee_a, title="社員向けの社内公募", audience="employees")
    make_opportunity(
        world.employee_a, title="卒業生向けの業務委託", kind="outsourcing", audience="alumni"
    )
    # The employee builds the page first, then the alumna reads; and the other way round.
    assert "社員向けの社内公募" in listed(world, world.employee_a)
    seen_by_alumna = listed(world, world.alumni_a)
    assert "社員向けの社内公募" not in seen_by_alumna
    assert "卒業生向けの業務委託" in seen_by_alumna
    assert "卒業生向けの業務委託" not in listed(world, world.employee_a)


def test_a_new_edited_or_closed_opportunity_shows_at_the_next_request(world: World) -> None:
    first = make_opportunity(world.employee_a, title="カムバック採用：経理")
    assert "カムバック採用：経理" in listed(world, world.alumni_a)  # kept now
    make_opportunity(world.employee_a, title="副業：広報の壁打ち相手", kind="side_job")
    assert "副業：広報の壁打ち相手" in listed(world, world.alumni_a)
    poster = world.client(world.employee_a)
    edited = poster.post(
        url(world, f"{first.pk}/edit/"),
        {
            "kind": "comeback",
            "title": "カムバック採用：経理（東京）",
            "description": "戻ってきませんか。",
            "remote": "hybrid",
            "audience": "all",
        },
    )
    assert edited.status_code == 302
    assert "カムバック採用：経理（東京）" in listed(world, world.alumni_a)
    assert poster.post(url(world, f"{first.pk}/close/")).status_code == 302
    assert "カムバック採用：経理（東京）" not in listed(world, world.alumni_a)


def test_the_posters_new_name_and_departure_show_at_once(world: World) -> None:
    make_opportunity(world.employee_a, title="登壇のお願い", kind="collaboration")
    assert world.employee_a.user.name in listed(world, world.alumni_a)
    user = world.employee_a.user
    user.name = "鈴木 一朗"  # a variant kanji, corrected
    user.save()
    page = listed(world, world.alumni_a)
    assert "鈴木 一朗" in page
    assert "鈴木 一郎" not in page
    with scope(network=world.net_a):
        do_leave_network(reload(world.employee_a))
    page = listed(world, world.alumni_a)
    assert "鈴木 一朗" not in page
    assert "退会したメンバー" in page


def test_only_the_member_who_answered_sees_the_mark_and_at_once(world: World) -> None:
    opening = make_opportunity(world.employee_a, title="紹介依頼：データ分析の得意な方")
    assert "応募済み" not in listed(world, world.alumni_a)
    answer(world.alumni_a, opening)
    assert "応募済み" in listed(world, world.alumni_a)
    assert "応募済み" not in listed(world, world.supporter_a)


def test_an_opportunity_leaves_the_list_at_midnight_after_its_deadline(world: World) -> None:
    today = timezone.localdate()
    make_opportunity(world.employee_a, title="今日締切の募集", deadline=today)
    assert "今日締切の募集" in listed(world, world.alumni_a)
    tomorrow = timezone.localtime().replace(hour=0, minute=5) + timedelta(days=1)
    with time_machine.travel(tomorrow):
        assert "今日締切の募集" not in listed(world, world.alumni_a)


def test_a_junk_page_number_shows_the_first_page(world: World) -> None:
    make_opportunity(world.employee_a, title="カムバック採用：人事")
    for junk in ("?page=abc", "?page=-1", "?page=99999999999999999999", "?page=%EF%BC%92"):
        assert "カムバック採用：人事" in listed(world, world.alumni_a, junk)


# --- The opportunity's page: its row, files and the reader's own answer come from the cache ---


def page(world: World, member: object, opportunity: object) -> tuple[int, str]:
    response = world.client(member).get(url(world, f"{opportunity.pk}/"))  # type: ignore[attr-defined]
    return response.status_code, response.content.decode()


def test_the_page_of_an_employees_opportunity_stays_closed_to_alumni_after_an_employee_read_it(
    world: World,
) -> None:
    inside = make_opportunity(world.employee_a, title="社員向けの社内公募", audience="employees")
    assert page(world, world.employee_a, inside)[0] == 200  # kept now
    assert page(world, world.alumni_a, inside)[0] == 404
    status, body = page(world, world.alumni_b, inside)  # not a member of A: sent away
    assert status != 200
    assert "社員向けの社内公募" not in body


def test_a_member_who_becomes_alumni_loses_the_employees_page_at_once(world: World) -> None:
    inside = make_opportunity(world.operator_a, title="社員向けの社内公募", audience="employees")
    assert page(world, world.employee_a, inside)[0] == 200
    world.employee_a.role = Role.ALUMNI
    world.employee_a.save()
    assert page(world, world.employee_a, inside)[0] == 404


def test_an_edit_and_a_new_status_show_on_the_page_at_once(world: World) -> None:
    opening = make_opportunity(world.employee_a, title="カムバック採用：経理")
    found = answer(world.alumni_a, opening)
    status, body = page(world, world.alumni_a, opening)
    assert status == 200
    assert str(AnswerStatus.NEW.label) in body
    poster = world.client(world.employee_a)
    assert poster.post(
        url(world, f"answers/{found.pk}/status/"), {"status": "contact"}
    ).status_code in (200, 302)
    edited = poster.post(
        url(world, f"{opening.pk}/edit/"),
        {
            "kind": "comeback",
            "title": "カムバック採用：経理",
            "description": "リモート中心に変わりました。",
            "remote": "remote",
            "audience": "all",
        },
    )
    assert edited.status_code == 302
    status, body = page(world, world.alumni_a, opening)
    assert str(AnswerStatus.CONTACT.label) in body
    assert "リモート中心に変わりました。" in body
