"""An archived room is read only: nothing posted in it changes any more, through a page, a form
or an action, whoever asks."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scope, scopes_disabled

from tsunagu.talk.actions import (
    do_archive_room,
    do_create_group,
    do_delete_message,
    do_edit_message,
    do_join_room,
    do_set_hidden,
    do_set_pinned,
    do_toggle_reaction,
)
from tsunagu.talk.models import Message, Reaction, Room
from tsunagu.talk.tests.helpers import make_room, post
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db

TEXT = "来月の同窓会は渋谷で開催します"


def url(world: World, room: Room, path: str = "") -> str:
    return f"/n/{world.net_a.slug}/talk/r/{room.pk}/{path}"


def archived_room(world: World) -> tuple[Room, Message]:
    room = make_room(world.operator_a, name="2019年入社同期")
    with scope(network=world.net_a):
        do_join_room(world.alumni_a, room)
    message = post(world.alumni_a, room, TEXT)
    with scope(network=world.net_a):
        do_archive_room(world.operator_a, room, True)
        room.refresh_from_db()
    return room, message


def unchanged(message: Message) -> None:
    with scopes_disabled():
        message.refresh_from_db()
        assert message.body == TEXT and message.deleted_at is None and message.edited_at is None
        assert not message.is_pinned
        assert not Reaction.objects.filter(message=message).exists()


def test_forms_cannot_edit_delete_pin_or_stamp_in_an_archived_room(world: World) -> None:
    room, message = archived_room(world)
    author = world.client(world.alumni_a)
    m = f"m/{message.pk}/"
    assert author.get(url(world, room, m + "edit/")).status_code == 403
    assert author.post(url(world, room, m + "edit/"), {"body": "書き換え"}).status_code == 403
    assert author.post(url(world, room, m + "delete/")).status_code == 403
    assert author.post(url(world, room, m + "react/"), {"stamp": "like"}).status_code in (302, 403)
    operator = world.client(world.operator_a)
    assert operator.post(url(world, room, m + "moderate/"), {"action": "pin"}).status_code == 403
    unchanged(message)
    page = author.get(url(world, room)).content.decode()
    assert TEXT in page
    assert f"/m/{message.pk}/edit/" not in page and f"/m/{message.pk}/delete/" not in page


def test_actions_refuse_every_change_in_an_archived_room(world: World) -> None:
    room, message = archived_room(world)
    message.room = room
    with scope(network=world.net_a):
        for change in (
            lambda: do_edit_message(world.alumni_a, message, "書き換え"),
            lambda: do_delete_message(world.alumni_a, message),
            lambda: do_set_pinned(world.operator_a, message, True),
            lambda: do_toggle_reaction(world.alumni_a, message, "like"),
        ):
            with pytest.raises(PermissionDenied):
                change()
    unchanged(message)


def test_pins_in_an_archived_group_chat_are_refused_too(world: World) -> None:
    with scope(network=world.net_a):
        group = do_create_group(world.alumni_a, name="同期会", invitees=[world.supporter_a])
    message = post(world.alumni_a, group, TEXT)
    with scopes_disabled():
        Room.objects.filter(pk=group.pk).update(is_archived=True)
        group.refresh_from_db()
    message.room = group
    with scope(network=world.net_a), pytest.raises(PermissionDenied):
        do_set_pinned(world.supporter_a, message, True)
    response = world.client(world.alumni_a).post(
        url(world, group, f"m/{message.pk}/moderate/"), {"action": "pin"}
    )
    assert response.status_code == 403
    unchanged(message)


def test_operators_can_still_hide_a_message_in_an_archived_room(world: World) -> None:
    room, message = archived_room(world)
    message.room = room
    with scope(network=world.net_a):
        do_set_hidden(world.operator_a, message, True)
    with scopes_disabled():
        assert Message.objects.get(pk=message.pk).is_hidden
