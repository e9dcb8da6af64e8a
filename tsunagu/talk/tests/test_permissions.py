"""Every talk verb answers the same through its page (HTTP form) and through its action or the
socket, for the same member in the same room: one table, two ways in.

A row is (verb, state, what the page answers). ``ok``: the change happens; ``refused``: 403 and
nothing changes; ``not_found``: 404, as for a room that does not exist, and nothing changes. The
action (or the socket's frame handler) must then do the change, or raise and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django_scopes import scope, scopes_disabled

from tsunagu.talk import actions, consumers
from tsunagu.talk.models import Message, Reaction, Room, RoomKind, RoomMember
from tsunagu.talk.tests.helpers import make_room, post
from tsunagu.tenancy.actions import do_change_role, do_change_status
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db

OK, REFUSED, NOT_FOUND = "ok", "refused", "not_found"


@dataclass
class Case:
    """A member in a room: ``mine`` is a message of theirs (or None), ``theirs`` someone else's,
    ``other`` another member in the room."""

    actor: Membership
    room: Room
    mine: Message | None
    theirs: Message
    other: Membership


def _fresh(member: Membership) -> Membership:
    with scopes_disabled():
        return Membership.objects.select_related("network", "user").get(pk=member.pk)


def _open(world: World) -> Case:
    room = make_room(world.operator_a, name="朝活ルーム")
    with scope(network=world.net_a):
        actions.do_join_room(world.alumni_a, room)
    theirs = post(world.operator_a, room, "おはようございます、本日のテーマは読書です")
    mine = post(world.alumni_a, room, "おはようございます！")
    return Case(world.alumni_a, room, mine, theirs, world.operator_a)


def state_open(world: World) -> Case:
    return _open(world)


def state_archived(world: World) -> Case:
    case = _open(world)
    with scope(network=world.net_a):
        actions.do_archive_room(world.operator_a, case.room, True)
    return case


def state_archived_as_operator(world: World) -> Case:
    """Operators too: nothing changes in an archived room, but they still hide a message (and
    may reopen the room)."""
    case = _open(world)
    mine = post(world.operator_a, case.room, "本日で終了します")
    with scope(network=world.net_a):
        actions.do_archive_room(world.operator_a, case.room, True)
    return Case(world.operator_a, case.room, mine, case.mine or case.theirs, world.alumni_a)


def state_closed_not_joined(world: World) -> Case:
    room = make_room(world.operator_a, name="運営会議", kind=RoomKind.CLOSED)
    theirs = post(world.operator_a, room, "来期の予算について")
    return Case(world.alumni_a, room, None, theirs, world.operator_a)


def state_closed_as_operator(world: World) -> Case:
    room = make_room(
        world.operator_a, name="サポーター会議", kind=RoomKind.CLOSED, invitees=[world.alumni_a]
    )
    mine = post(world.operator_a, room, "次回の交流会の担当を決めましょう")
    theirs = post(world.alumni_a, room, "受付を担当します")
    return Case(world.operator_a, room, mine, theirs, world.alumni_a)


def state_office(world: World) -> Case:
    with scope(network=world.net_a):
        room = actions.do_open_office(world.alumni_a)
    theirs = post(world.alumni_a, room, "退会の手続きについて教えてください")
    mine = post(world.operator_a, room, "ご連絡ありがとうございます")
    return Case(world.operator_a, room, mine, theirs, world.alumni_a)


def state_group(world: World) -> Case:
    with scope(network=world.net_a):
        room = actions.do_create_group(world.alumni_a, name="同期会", invitees=[world.supporter_a])
    theirs = post(world.supporter_a, room, "久しぶりに集まりましょう")
    mine = post(world.alumni_a, room, "いいですね")
    return Case(world.alumni_a, room, mine, theirs, world.supporter_a)


def state_demoted_from_operator(world: World) -> Case:
    """A supporter made operator answers the office, then is a supporter again."""
    with scope(network=world.net_a):
        do_change_role(world.operator_a, world.supporter_a, Role.OPERATOR)
        room = actions.do_open_office(world.alumni_a)
    theirs = post(world.alumni_a, room, "内密に相談させてください")
    mine = post(_fresh(world.supporter_a), room, "承知しました")
    with scope(network=world.net_a):
        do_change_role(world.operator_a, _fresh(world.supporter_a), Role.SUPPORTER)
    return Case(_fresh(world.supporter_a), room, mine, theirs, world.alumni_a)


def state_suspended(world: World) -> Case:
    case = _open(world)
    with scope(network=world.net_a):
        do_change_status(world.operator_a, _fresh(world.alumni_a), Status.SUSPENDED)
    case.actor = _fresh(world.alumni_a)
    return case


STATES: dict[str, Callable[[World], Case]] = {
    "open": state_open,
    "archived": state_archived,
    "archived_as_operator": state_archived_as_operator,
    "closed_not_joined": state_closed_not_joined,
    "closed_as_operator": state_closed_as_operator,
    "office": state_office,
    "group": state_group,
    "demoted": state_demoted_from_operator,
    "suspended": state_suspended,
}
Y, R, N = OK, REFUSED, NOT_FOUND
# Columns: open, archived, archived_as_operator, closed_not_joined, closed_as_operator, office,
# group, demoted, suspended (the order of STATES).
TABLE: dict[str, tuple[str, ...]] = {
    "read": (Y, Y, Y, N, Y, Y, Y, N, R),
    "send": (Y, R, R, N, Y, Y, Y, N, R),
    "reply": (Y, R, R, N, Y, Y, Y, N, R),
    "edit": (Y, R, R, N, Y, Y, Y, N, R),
    "delete": (Y, R, R, N, Y, Y, Y, N, R),
    "react": (Y, R, R, N, Y, Y, Y, N, R),
    "pin": (R, R, R, N, Y, Y, Y, N, R),
    "unpin": (R, R, R, N, Y, Y, Y, N, R),
    "hide": (R, R, Y, N, Y, Y, R, N, R),
    "join": (Y, R, R, N, Y, Y, R, N, R),
    "leave": (Y, Y, Y, N, Y, R, Y, N, R),
    "invite": (R, R, R, N, Y, R, Y, N, R),
    "remove": (R, R, R, N, Y, R, R, N, R),
    # The room settings page is for operators (403 for anyone else before the room is looked
    # up); a conversation with the office is no room the network runs (404). "archive"
    # archives an open room and reopens an archived one.
    "archive": (R, R, Y, R, Y, N, R, R, R),
    "rename": (R, R, Y, R, Y, N, R, R, R),
}
ROWS = [
    pytest.param(verb, state, expected, id=f"{verb}-{state}")
    for verb, answers in TABLE.items()
    for state, expected in zip(STATES, answers, strict=True)
]


# --- what happened ------------------------------------------------------------------------------


def _message(case: Case, verb: str) -> Message:
    if verb in ("edit", "delete"):
        return case.mine or case.theirs
    return case.theirs


def _snapshot(case: Case) -> dict[str, Any]:
    with scopes_disabled():
        room = Room.objects.get(pk=case.room.pk)
        messages = Message.objects.filter(room=room)
        return {
            "messages": sorted(messages.values_list("id", "body", "deleted_at", "edited_at")),
            "flags": sorted(messages.values_list("id", "is_pinned", "is_hidden")),
            "reactions": Reaction.objects.filter(message__room=room).count(),
            "places": sorted(
                RoomMember.objects.filter(room=room).values_list("member_id", flat=True)
            ),
            "room": (room.name, room.is_archived),
        }


def _prepare(world: World, case: Case, verb: str) -> None:
    if verb == "unpin":  # something to unpin
        with scopes_disabled():
            Message.objects.filter(pk=case.theirs.pk).update(is_pinned=True)


# --- the page -----------------------------------------------------------------------------------


def _http(world: World, case: Case, verb: str) -> int:
    client: Client = world.client(case.actor)
    base = f"/n/{world.net_a.slug}/talk/"
    room = f"{base}r/{case.room.pk}/"
    m = f"{room}m/{_message(case, verb).pk}/"
    requests: dict[str, tuple[str, str, dict[str, Any]]] = {
        "read": ("get", room, {}),
        "send": ("post", room + "send/", {"body": "新しい投稿", "client_id": "perm-http-1"}),
        "reply": (
            "post",
            room + "send/",
            {"body": "返信です", "client_id": "perm-http-2", "thread": case.theirs.pk},
        ),
        "edit": ("post", m + "edit/", {"body": "書き換えました"}),
        "delete": ("post", m + "delete/", {}),
        "react": ("post", m + "react/", {"stamp": "like"}),
        "pin": ("post", m + "moderate/", {"action": "pin"}),
        "unpin": ("post", m + "moderate/", {"action": "unpin"}),
        "hide": ("post", m + "moderate/", {"action": "hide"}),
        "join": ("post", room + "join/", {}),
        "leave": ("post", room + "leave/", {}),
        "invite": ("post", room + "members/", {"invite": [world.employee_a.pk]}),
        "remove": ("post", room + "members/", {"remove": case.other.pk}),
        "archive": (
            "post",
            f"{base}manage/{case.room.pk}/",
            {"archive": "" if case.room.is_archived else "1"},
        ),
        "rename": (
            "post",
            f"{base}manage/{case.room.pk}/",
            {"name": "新しい名前", "description": ""},
        ),
    }
    method, path, data = requests[verb]
    return int(getattr(client, method)(path, data).status_code)


# --- the action, or the socket's handler of the same frame ----------------------------------------


def _action(world: World, case: Case, verb: str) -> None:
    actor, room = case.actor, case.room
    message = _message(case, verb)
    message.room = room
    if verb == "read":  # the socket's resume (the page's twin for a live reader)
        consumers._resume.func(actor, room.pk, 0)  # type: ignore[attr-defined]
        return
    if verb == "send":  # the socket's send frame
        consumers._send.func(  # type: ignore[attr-defined]
            actor, {"room": room.pk, "client_id": "perm-sock-1", "body": "新しい投稿"}
        )
        return
    if verb == "react":  # the socket's react frame
        consumers._react.func(actor, room.pk, message.pk, "like")  # type: ignore[attr-defined]
        return
    with scope(network=world.net_a):
        if verb == "reply":
            actions.do_send_message(
                actor, room, body="返信です", client_id="perm-act-2", thread_root=case.theirs
            )
        elif verb == "edit":
            actions.do_edit_message(actor, message, "書き換えました")
        elif verb == "delete":
            actions.do_delete_message(actor, message)
        elif verb in ("pin", "unpin"):
            actions.do_set_pinned(actor, message, verb == "pin")
        elif verb == "hide":
            actions.do_set_hidden(actor, message, True)
        elif verb == "join":
            actions.do_join_room(actor, room)
        elif verb == "leave":
            actions.do_leave_room(actor, room)
        elif verb == "invite":
            actions.do_invite(actor, room, [world.employee_a])
        elif verb == "remove":
            actions.do_remove_from_room(actor, room, case.other)
        elif verb == "archive":
            actions.do_archive_room(actor, room, not room.is_archived)
        elif verb == "rename":
            actions.do_update_room(actor, room, name="新しい名前", description="")


REFUSALS = (PermissionDenied, Http404, consumers.FrameError, ValidationError)


def _changed(before: dict[str, Any], after: dict[str, Any], verb: str) -> bool:
    if verb == "read":
        return True  # reading changes nothing; success is the page or the frames
    if verb == "join":  # joining a room one is already in is a success that changes nothing
        return True
    return before != after


@pytest.mark.parametrize(("verb", "state", "expected"), ROWS)
def test_the_page_answers_as_the_table_says(
    world: World, verb: str, state: str, expected: str
) -> None:
    case = STATES[state](world)
    _prepare(world, case, verb)
    before = _snapshot(case)
    status = _http(world, case, verb)
    after = _snapshot(case)
    if expected == OK:
        assert status in (200, 302), status
        assert _changed(before, after, verb)
    else:
        assert status == (404 if expected == NOT_FOUND else 403), status
        assert after == before


@pytest.mark.parametrize(("verb", "state", "expected"), ROWS)
def test_the_action_or_socket_agrees_with_the_page(
    world: World, verb: str, state: str, expected: str
) -> None:
    case = STATES[state](world)
    _prepare(world, case, verb)
    before = _snapshot(case)
    if expected == OK:
        _action(world, case, verb)
        assert _changed(before, _snapshot(case), verb)
    else:
        with pytest.raises(REFUSALS):
            _action(world, case, verb)
        assert _snapshot(case) == before


def test_a_room_one_may_not_read_is_not_found_on_the_socket_too(world: World) -> None:
    """The socket does not reveal a closed room either: the same answer as a missing one."""
    case = state_closed_not_joined(world)
    for frame in (
        lambda: consumers._resume.func(case.actor, case.room.pk, 0),  # type: ignore[attr-defined]
        lambda: consumers._resume.func(case.actor, 987654, 0),  # type: ignore[attr-defined]
    ):
        with pytest.raises(consumers.FrameError) as refused:
            frame()
        assert refused.value.code == "not_found"


def test_a_reply_to_a_hidden_message_is_refused_on_the_page_and_the_socket(world: World) -> None:
    case = state_open(world)
    with scope(network=world.net_a):
        actions.do_set_hidden(world.operator_a, case.theirs, True)
    client = world.client(case.actor)
    response = client.post(
        f"/n/{world.net_a.slug}/talk/r/{case.room.pk}/send/",
        {"body": "返信です", "client_id": "hidden-1", "thread": case.theirs.pk},
    )
    assert response.status_code == 404
    with pytest.raises(consumers.FrameError) as refused:
        consumers._send.func(  # type: ignore[attr-defined]
            case.actor,
            {"room": case.room.pk, "client_id": "h-2", "body": "返信", "thread": case.theirs.pk},
        )
    assert refused.value.code == "not_found"
    with scopes_disabled():
        assert not Message.objects.filter(thread_root=case.theirs).exists()


def test_only_operators_create_rooms_on_the_page_and_in_the_action(world: World) -> None:
    response = world.client(world.alumni_a).post(
        f"/n/{world.net_a.slug}/talk/manage/", {"kind": RoomKind.OPEN, "name": "勝手な部屋"}
    )
    assert response.status_code == 403
    with scope(network=world.net_a), pytest.raises(PermissionDenied):
        actions.do_create_room(world.alumni_a, kind=RoomKind.OPEN, name="勝手な部屋")
    with scopes_disabled():
        assert not Room.objects.filter(name="勝手な部屋").exists()


def test_a_direct_message_to_a_suspended_member_is_refused_both_ways(world: World) -> None:
    with scope(network=world.net_a):
        do_change_status(world.operator_a, _fresh(world.employee_a), Status.SUSPENDED)
    target = _fresh(world.employee_a)
    response = world.client(world.alumni_a).post(f"/n/{world.net_a.slug}/talk/dm/{target.pk}/")
    assert response.status_code == 403
    with scope(network=world.net_a), pytest.raises(PermissionDenied):
        actions.do_open_direct(world.alumni_a, target)
    with scopes_disabled():
        assert not Room.objects.filter(kind=RoomKind.DIRECT).exists()
