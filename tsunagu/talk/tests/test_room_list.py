"""The room list: each room the member is in shows its newest message (who wrote it, the start of
its text) beside the unread count, by the rules the room shows them."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope

from tsunagu.talk.actions import do_delete_message, do_set_hidden
from tsunagu.talk.tests.helpers import default_room, make_room, post
from tsunagu.tenancy.actions import do_leave_network
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def last_line(world: World, room_id: int) -> str:
    """The text of the line under the room in the operator's list."""
    page = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/talk/").content.decode()
    row = re.search(rf'<li data-room="{room_id}">(.*?)</li>', page, re.S)
    assert row is not None
    line = re.search(r"<p [^>]*data-room-last[^>]*>(.*?)</p>", row.group(1), re.S)
    assert line is not None and " hidden" not in line.group(0).split(">")[0]
    return re.sub(r"<[^>]+>", "", line.group(1)).strip()


def test_the_list_shows_the_newest_message_and_who_wrote_it(world: World) -> None:
    room = default_room(world.net_a)
    post(world.alumni_a, room, "おはようございます")
    first = post(world.employee_a, room, "**今日**は <雨> です\n\n傘をお忘れなく")
    employee = world.employee_a.user.name
    assert last_line(world, room.pk) == f"{employee}: 今日は &lt;雨&gt; です 傘をお忘れなく"
    # A reply stays in its thread.
    post(world.alumni_a, room, "了解です", thread_root=first)
    assert last_line(world, room.pk) == f"{employee}: 今日は &lt;雨&gt; です 傘をお忘れなく"
    # A long message shows its start.
    long = post(world.supporter_a, room, "長い話です。" * 20)
    shown = last_line(world, room.pk).split(": ", 1)[1]
    assert shown.endswith("…") and len(shown) == 60
    with scope(network=world.net_a):
        do_delete_message(world.supporter_a, long)
    assert "長い話" not in last_line(world, room.pk)


def test_a_hidden_message_is_not_shown_in_the_list(world: World) -> None:
    room = default_room(world.net_a)
    post(world.alumni_a, room, "おはようございます")
    rude = post(world.employee_a, room, "不適切な書き込み")
    with scope(network=world.net_a):
        do_set_hidden(world.operator_a, rude, True)
    # Not even to the operator who hid it.
    assert last_line(world, room.pk) == f"{world.alumni_a.user.name}: おはようございます"


def test_a_member_who_left_is_a_former_member_in_the_list(world: World) -> None:
    room = default_room(world.net_a)
    post(world.employee_a, room, "お世話になりました")
    with scope(network=world.net_a):
        do_leave_network(world.employee_a)
    line = last_line(world, room.pk)
    assert line == "退会したメンバー: お世話になりました"


def test_a_room_without_messages_shows_no_line(world: World) -> None:
    room = make_room(world.operator_a, name="新しい部屋")
    page = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/talk/").content.decode()
    row = re.search(rf'<li data-room="{room.pk}">(.*?)</li>', page, re.S)
    assert row is not None
    assert re.search(r"<p [^>]*data-room-last hidden", row.group(1))
