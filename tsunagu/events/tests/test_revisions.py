"""Every change to an event's organisers, participants or photos moves its revision on (declared
in events/apps.py), so the lists its page shares between readers are built again."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.revisions import assert_bumps_revision, assert_keeps_revision
from tsunagu.events import actions
from tsunagu.events.models import Organiser, Photo
from tsunagu.events.tests.helpers import make_event
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def test_applying_and_cancelling_move_the_event_on(world: World) -> None:
    event = make_event(world.net_a)
    with scope(network=world.net_a):
        with assert_bumps_revision(event):
            actions.do_register(world.alumni_a, event)
        with assert_bumps_revision(event):
            actions.do_cancel_registration(world.alumni_a, event)


def test_a_new_organiser_and_a_photo_move_the_event_on(world: World) -> None:
    event = make_event(world.net_a)
    with scopes_disabled():
        with assert_bumps_revision(event):
            Organiser.objects.create(network=world.net_a, event=event, membership=world.employee_a)
        with assert_bumps_revision(event):
            photo = Photo.objects.create(
                network=world.net_a, event=event, image="events/photo.jpg", caption="集合写真"
            )
        with assert_bumps_revision(event):
            photo.delete()


def test_viewing_the_list_leaves_the_event_as_it_is(world: World) -> None:
    event = make_event(world.net_a)
    with scope(network=world.net_a), assert_keeps_revision(event):
        actions.do_record_list_visit(world.alumni_a)
