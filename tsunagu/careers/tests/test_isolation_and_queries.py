"""A's answers never reach network B; the list and the page cost a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from tsunagu.careers.actions import FlagChoice, do_set_flags
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.testing.world import CANARY_A, World

from .helpers import answer, cv_upload, make_opportunity, url

pytestmark = pytest.mark.django_db

CANARY_CV = f"履歴書_{CANARY_A}.pdf"
CANARY_MESSAGE = f"ぜひ応募します {CANARY_A}"


def test_a_canary_cv_and_message_never_reach_network_b(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    a_opening = make_opportunity(world.employee_a, title="カムバック採用：営業")
    b_opening = make_opportunity(world.operator_b, title="ひだまり：デザイナー募集")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer(
            world.alumni_a,
            a_opening,
            mode="apply",
            message=CANARY_MESSAGE,
            cv=cv_upload(CANARY_CV, text=CANARY_A),
        )
        answer(world.alumni_b, b_opening, mode="apply", message="よろしくお願いします")
        with scope(network=world.net_a):
            do_set_flags(world.alumni_a, [FlagChoice("side_job", "recruiters")])
    # The canary is where it belongs, so the checks below can fail.
    poster_page = world.client(world.employee_a).get(url(world, f"{a_opening.pk}/answers/"))
    assert CANARY_MESSAGE in poster_page.content.decode()
    assert CANARY_CV in poster_page.content.decode()
    export = world.client(world.employee_a).get(url(world, f"{a_opening.pk}/answers.csv"))
    assert CANARY_CV in export.content.decode("utf-8-sig")
    assert any(CANARY_A in m.body for m in mail.outbox if world.employee_a.user.email in m.to)

    b = world.net_b
    pages = [
        "",
        "?q=カナリア",
        "mine/",
        "talent/",
        f"{b_opening.pk}/",
        f"{b_opening.pk}/answers/",
        "manage/",
    ]
    for member in (world.operator_b, world.supporter_b, world.alumni_b):
        client = world.client(member)
        for page in pages:
            body = client.get(url(world, page, network=b)).content.decode()
            assert CANARY_A not in body, (page, member.role)
    b_exports = [
        world.client(world.operator_b).get(url(world, f"{b_opening.pk}/answers.csv", network=b)),
        world.client(world.operator_b).get(
            url(world, f"{b_opening.pk}/answers.csv?encoding=shift_jis", network=b)
        ),
    ]
    for response in b_exports:
        assert response.status_code == 200
        assert CANARY_A.encode() not in response.content
        assert CANARY_A not in response.content.decode("utf-8-sig", "replace")
    b_addresses = {m.user.email for m in (world.operator_b, world.supporter_b, world.alumni_b)}
    for message in mail.outbox:
        if b_addresses & set(message.to):
            assert CANARY_A not in message.subject + message.body
            assert all(CANARY_A not in str(alt[0]) for alt in getattr(message, "alternatives", []))


def _count(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


# The list's pages are kept for every reader of one audience (listing.py): a warm list costs the
# session only; the first reader after a change rebuilds it with the count and the page, and
# their own answers are read again once they answered.
LIST_QUERIES = 1
LIST_QUERIES_REBUILT = 4
# The page's row and files are kept with the list, the reader's own answer per reader.
DETAIL_QUERIES = 1
DETAIL_QUERIES_REBUILT = 4


def test_the_list_and_the_page_cost_the_same_queries_with_ten_times_the_data(
    world: World, django_assert_num_queries: Any
) -> None:
    people = [make_member(world.net_a, make_user(name=f"応募者 {i}")) for i in range(20)]
    openings = [make_opportunity(world.employee_a, title=f"募集 {i}") for i in range(2)]
    answer(people[0], openings[0])
    client = world.client(world.alumni_a)
    answer(world.alumni_a, openings[1])
    list_path, detail_path = url(world), url(world, f"{openings[0].pk}/")
    client.get(list_path)  # the session and the caches, warmed
    client.get(detail_path)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(list_path)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(detail_path)
    more = [make_opportunity(world.employee_a, title=f"追加の募集 {i}") for i in range(20)]
    for person in people[1:]:
        answer(person, openings[0])
        answer(person, more[0])
    answer(world.alumni_a, more[1])
    with django_assert_num_queries(LIST_QUERIES_REBUILT):
        client.get(list_path)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(list_path)
    assert response.content.decode().count("opportunity-row") == 20  # a full page
    answer(world.alumni_a, more[2])  # the page's entries and her answers go
    with django_assert_num_queries(DETAIL_QUERIES_REBUILT):
        client.get(detail_path)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(detail_path)
