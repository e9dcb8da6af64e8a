from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from tsunagu.boards.models import Comment, ThreadKind
from tsunagu.boards.tests.helpers import make_category, make_thread
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db


def home(world: World) -> str:
    return f"/n/{world.net_a.slug}/"


def test_home_shows_new_threads_and_waiting_consultations(world: World) -> None:
    category = make_category(world.net_a, "仕事の相談")
    client = world.client(world.employee_a)
    assert "回答を待っている相談" not in client.get(home(world)).content.decode()
    world.client(world.alumni_a).post(
        f"/n/{world.net_a.slug}/boards/new/",
        {
            "category": category.pk,
            "kind": "consultation",
            "title": "経理システムの選び方",
            "body": "教えてください",
        },
    )
    page = client.get(home(world)).content.decode()
    assert "回答を待っている相談" in page
    assert page.count("経理システムの選び方") == 2  # waiting, and among what is new


def test_an_answered_consultation_leaves_the_waiting_list(world: World) -> None:
    thread = make_thread(world.alumni_a, kind=ThreadKind.CONSULTATION, title="補助金の相談")
    client = world.client(world.employee_a)
    assert "回答を待っている相談" in client.get(home(world)).content.decode()
    client.post(f"/n/{world.net_a.slug}/boards/t/{thread.pk}/comment/", {"body": "回答です"})
    with scopes_disabled():
        answer = Comment.objects.get()
    world.client(world.alumni_a).post(f"/n/{world.net_a.slug}/boards/comments/{answer.pk}/best/")
    page = client.get(home(world)).content.decode()
    assert "回答を待っている相談" not in page
    assert "解決済み" in page


def test_hidden_threads_never_reach_the_home_page(world: World) -> None:
    thread = make_thread(world.alumni_a, title="消される話題")
    client = world.client(world.employee_a)
    assert "消される話題" in client.get(home(world)).content.decode()
    world.client(world.operator_a).post(
        f"/n/{world.net_a.slug}/boards/t/{thread.pk}/moderate/", {"action": "hide"}
    )
    assert "消される話題" not in client.get(home(world)).content.decode()
    assert "消される話題" not in world.client(world.operator_a).get(home(world)).content.decode()


def test_the_home_block_costs_no_query_once_cached(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for i in range(20):
        make_thread(world.alumni_a, title=f"話題 {i}")
    client = world.client(world.employee_a)
    client.get(home(world))
    with CaptureQueriesContext(connection) as ctx:
        client.get(home(world))
    assert not [q for q in ctx.captured_queries if "boards_thread" in q["sql"]]


def test_another_networks_home_never_shows_these_threads(world: World) -> None:
    make_thread(world.alumni_a, title=f"秘密の話題 {CANARY_A}")
    world.client(world.alumni_a).get(home(world))
    page = world.client(world.alumni_b).get(f"/n/{world.net_b.slug}/").content.decode()
    assert CANARY_A not in page
