"""Opening a room with 100,000 messages costs what opening one with 100 costs: the latest 50 and
each older page are one range read on the room's timeline index, never a count or an offset."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from tsunagu.talk.models import Message
from tsunagu.talk.tests.helpers import fill_room, make_room
from tsunagu.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]

BIG = 100_000


def timeline_plan(room_id: int, before: int | None) -> str:
    with scopes_disabled():
        # As the room page reads it: nothing above the room's last number (views.room_page).
        qs = Message.objects.filter(room_id=room_id, thread_root__isnull=True, seq__lte=BIG)
        if before is not None:
            qs = qs.filter(seq__lt=before)
        return qs.order_by("-seq")[:51].explain()


def page_queries(client: Any, path: str) -> tuple[int, float]:
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return len(ctx.captured_queries), elapsed


def test_a_room_of_100000_messages_opens_like_a_room_of_100(world: World) -> None:
    small = make_room(world.operator_a, name="小さな部屋")
    big = make_room(world.operator_a, name="大きな部屋")
    members = [world.alumni_a, world.employee_a, world.supporter_a]
    fill_room(small, members, 100)
    for _ in range(BIG // 10_000):
        fill_room(big, members, 10_000)
    client = world.client(world.alumni_a)
    slug = world.net_a.slug
    for room in (small, big):
        client.get(f"/n/{slug}/talk/r/{room.pk}/")  # marks it read
    # The newest page is cached, older ones are built each time: like is measured with like.
    small_newest = min(page_queries(client, f"/n/{slug}/talk/r/{small.pk}/") for _ in range(3))
    small_older = min(
        page_queries(client, f"/n/{slug}/talk/r/{small.pk}/?before=60") for _ in range(3)
    )
    for path, (small_count, small_time) in (
        (f"r/{big.pk}/", small_newest),
        (f"r/{big.pk}/?before=50000", small_older),
        (f"r/{big.pk}/?before=60", small_older),
    ):
        big_count, big_time = min(page_queries(client, f"/n/{slug}/talk/{path}") for _ in range(3))
        assert big_count == small_count, path
        # Generous: the point is "not proportional to the room" (a scan would be ~1000x).
        assert big_time < small_time * 5 + 0.05, (path, big_time, small_time)
    page = client.get(f"/n/{slug}/talk/r/{big.pk}/?before=50000").content.decode()
    assert "おはようございます 49999<" in page and "おはようございます 49950<" in page
    assert "おはようございます 49949<" not in page

    for before in (None, 50_000):
        plan = timeline_plan(big.pk, before).lower()
        if connection.vendor == "sqlite":
            assert "using index talk_message_timeline" in plan, plan
            assert "temp b-tree" not in plan, plan  # no sort
        else:
            assert "index" in plan and "sort" not in plan and "seq scan" not in plan, plan
