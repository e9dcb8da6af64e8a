"""Talk events never reach a member of another network, or of a room they are not in.

A spy socket per role records every frame while network A talks in each kind of room; then each
spy's frames are checked against the rooms that role may read.
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django_scopes import scope

from tsunagu.core.testing.factories import make_member
from tsunagu.talk.actions import (
    do_edit_message,
    do_mark_read,
    do_open_direct,
    do_set_hidden,
    do_toggle_reaction,
)
from tsunagu.talk.models import Message, RoomKind
from tsunagu.talk.tests.helpers import default_room, make_room, post
from tsunagu.testing.world import CANARY_A, World

from .test_socket import connect

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def drain(socket: Any, seconds: float = 0.6) -> list[dict[str, Any]]:
    # receive_nothing() waits without ending the application, as a timed-out receive would.
    frames = []
    while not await socket.c.receive_nothing(timeout=seconds):
        frames.append(await socket.c.receive_json_from())
    return frames


async def test_spies_hear_only_the_rooms_their_role_may_read(world: World) -> None:
    both = await database_sync_to_async(make_member)(world.net_b, world.alumni_a.user)

    @database_sync_to_async
    def rooms() -> dict[str, Any]:
        return {
            "casual": default_room(world.net_a),
            "alumni": make_room(world.operator_a, name="OB限定", kind=RoomKind.ALUMNI),
            "employee": make_room(world.operator_a, name="社員限定", kind=RoomKind.EMPLOYEE),
            "closed": make_room(world.operator_a, name="運営会議", kind=RoomKind.CLOSED),
            "dm": _scoped(world, lambda: do_open_direct(world.operator_a, world.supporter_a)),
        }

    r = await rooms()

    @database_sync_to_async
    def join_role_rooms() -> None:
        from tsunagu.talk.actions import do_join_room

        with scope(network=world.net_a):
            for member in (world.alumni_a, world.supporter_a):
                do_join_room(member, r["alumni"])
            do_join_room(world.employee_a, r["employee"])

    await join_role_rooms()
    spies = {
        "operator_a": await connect(world.operator_a),
        "supporter_a": await connect(world.supporter_a),
        "employee_a": await connect(world.employee_a),
        "alumni_a": await connect(world.alumni_a),
        "alumni_b": await connect(world.alumni_b),
        "operator_b": await connect(world.operator_b),
        "alumni_a_in_b": await connect(both, slug=world.net_b.slug),
    }

    @database_sync_to_async
    def activity() -> None:
        with scope(network=world.net_a):
            casual = post(world.alumni_a, r["casual"], f"雑談 {CANARY_A}")
            post(world.alumni_a, r["alumni"], f"OBだけ {CANARY_A}")
            post(world.employee_a, r["employee"], f"社員だけ {CANARY_A}")
            closed = post(world.operator_a, r["closed"], f"運営だけ {CANARY_A}")
            dm = post(world.operator_a, r["dm"], f"個別に {CANARY_A}")
            do_toggle_reaction(world.supporter_a, casual, "welcome")
            do_mark_read(world.supporter_a, r["dm"], dm.seq)
            message = Message.objects.get(pk=casual.pk)
            do_edit_message(world.alumni_a, message, f"雑談（編集） {CANARY_A}")
            hidden = Message.objects.select_related("room").get(pk=closed.pk)
            do_set_hidden(world.operator_a, hidden, True)

    await activity()
    await spies["employee_a"].send({"type": "typing", "room": r["employee"].pk})
    heard = {name: await drain(spy) for name, spy in spies.items()}

    allowed = {
        "operator_a": {"casual", "alumni", "employee", "closed", "dm"},  # created them all
        "supporter_a": {"casual", "alumni", "dm"},
        "employee_a": {"casual", "employee"},
        "alumni_a": {"casual", "alumni"},
        "alumni_b": set(),
        "operator_b": set(),
        "alumni_a_in_b": set(),
    }
    names = {room.pk: key for key, room in r.items()}
    for spy, frames in heard.items():
        rooms_heard = {names.get(f.get("room")) for f in frames if "room" in f}
        assert rooms_heard <= allowed[spy], (spy, rooms_heard)
        if spy.endswith("_b") or spy == "alumni_a_in_b":
            assert all(CANARY_A not in str(f) for f in frames), spy
            assert [f["type"] for f in frames] == [], (spy, frames)
    # The spies could fail: each A role did hear its rooms.
    assert {names[f["room"]] for f in heard["employee_a"] if f["type"] == "message"} == {
        "casual",
        "employee",
    }
    assert any(f["type"] == "typing" for f in heard["operator_a"])
    assert not any(f["type"] == "typing" for f in heard["alumni_a"])
    assert any(f["type"] == "read" for f in heard["operator_a"])
    for spy in spies.values():
        await spy.close()


def _scoped(world: World, work: Any) -> Any:
    with scope(network=world.net_a):
        return work()
