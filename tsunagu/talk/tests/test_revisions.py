"""Every change to a posted message, its stamps or its files moves its room's revision on
(declared in talk/apps.py), so the room's cached newest page is built again. A new message moves
the room's last_seq instead, and what is only the reader's moves nothing."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.revisions import assert_bumps_revision, assert_keeps_revision
from tsunagu.talk import actions
from tsunagu.talk.models import Attachment
from tsunagu.talk.tests.helpers import default_room, post
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def test_an_edit_a_stamp_a_pin_and_a_deletion_each_move_the_room_on(world: World) -> None:
    room = default_room(world.net_a)
    message = post(world.alumni_a, room, "誤字がありまsた")
    with scope(network=world.net_a):
        message.room = room
        with assert_bumps_revision(room):
            actions.do_edit_message(world.alumni_a, message, "誤字を直しました")
        with assert_bumps_revision(room):
            actions.do_toggle_reaction(world.supporter_a, message, "like")
        with assert_bumps_revision(room):
            actions.do_set_pinned(world.operator_a, message, True)
        with assert_bumps_revision(room):
            actions.do_delete_message(world.alumni_a, message)


def test_a_file_added_or_removed_moves_the_room_on(world: World) -> None:
    room = default_room(world.net_a)
    message = post(world.alumni_a, room, "資料です")
    with scopes_disabled():
        with assert_bumps_revision(room):
            attachment = Attachment.objects.create(
                network=world.net_a,
                room=room,
                message=message,
                uploader=world.alumni_a,
                file="talk/agenda.pdf",
                name="agenda.pdf",
                content_type="application/pdf",
                size=1024,
            )
        with assert_bumps_revision(room):
            attachment.delete()


def test_a_new_message_and_reading_leave_the_revision_as_it_is(world: World) -> None:
    room = default_room(world.net_a)
    with assert_keeps_revision(room):
        message = post(world.alumni_a, room, "おはようございます")
        with scope(network=world.net_a):
            actions.do_mark_read(world.employee_a, room, message.seq)
