"""Every write that changes what a thread page shows moves the thread's revision on (declared in
boards/apps.py), so its shared comment pages are built again; what is only the reader's does not."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.boards import actions
from tsunagu.boards.models import Attachment
from tsunagu.boards.tests.helpers import make_thread
from tsunagu.core.testing.revisions import assert_bumps_revision, assert_keeps_revision
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def test_a_comment_its_edit_and_a_stamp_each_move_the_thread_on(world: World) -> None:
    thread = make_thread(world.alumni_a)
    with scope(network=world.net_a):
        with assert_bumps_revision(thread):
            comment = actions.do_add_comment(world.employee_a, thread, body="参加します")
        with assert_bumps_revision(thread):
            actions.do_edit_comment(world.employee_a, comment, body="家族と参加します")
        with assert_bumps_revision(thread):
            actions.do_toggle_reaction(world.alumni_a, thread, comment, "thanks")
        with assert_bumps_revision(thread):
            actions.do_edit_thread(
                world.alumni_a, thread, title="懇親会", body="場所が決まりました"
            )


def test_a_file_added_or_removed_moves_the_thread_on(world: World) -> None:
    thread = make_thread(world.alumni_a)
    with scopes_disabled():
        with assert_bumps_revision(thread):
            attachment = Attachment.objects.create(
                network=world.net_a,
                thread=thread,
                uploader=world.alumni_a,
                file="boards/agenda.pdf",
                name="agenda.pdf",
                content_type="application/pdf",
                size=1024,
            )
        with assert_bumps_revision(thread):
            attachment.delete()


def test_reading_and_following_a_thread_leave_its_pages_as_they_are(world: World) -> None:
    thread = make_thread(world.alumni_a)
    with scope(network=world.net_a):
        comment = actions.do_add_comment(world.employee_a, thread, body="参加します")
        with assert_keeps_revision(thread):
            actions.do_mark_read(world.alumni_a, thread, comment.number, None)
            actions.do_set_subscription(world.supporter_a, thread, True)
