"""The event list shared by the members of one audience holds only what every one of them may see,
whoever happens to build it first."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.events.models import Event, Organiser
from tsunagu.events.tests.test_pages import event_data, url
from tsunagu.tenancy.actions import do_change_role
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db

SECRET_EVENT = f"社員限定 人事制度説明会 {CANARY_A}"


def employees_only_event_run_by(world: World, organiser_client) -> Event:
    response = organiser_client.post(
        url(world, "new/"), event_data(title=SECRET_EVENT, audience="employees")
    )
    assert response.status_code == 302, response.content.decode()[:500]
    with scopes_disabled():
        return Event.objects.get(title=SECRET_EVENT)


def test_a_demoted_organiser_does_not_write_their_event_into_the_alumni_list(
    world: World,
) -> None:
    supporter = world.client(world.supporter_a)
    event = employees_only_event_run_by(world, supporter)
    with scopes_disabled():
        assert Organiser.objects.filter(event=event, membership=world.supporter_a).exists()
    with scope(network=world.net_a):
        do_change_role(world.operator_a, world.supporter_a, Role.ALUMNI)

    # The former supporter, first in the minute, still sees the event they run ...
    assert SECRET_EVENT in supporter.get(url(world)).content.decode()
    # ... and an alumna of the same audience, right after, does not.
    alumni = world.client(world.alumni_a)
    assert SECRET_EVENT not in alumni.get(url(world)).content.decode()
    assert alumni.get(url(world, f"{event.pk}/")).status_code == 404
    # Nor the other way round: the alumna first, then the organiser.
    assert SECRET_EVENT in supporter.get(url(world)).content.decode()


def test_a_member_named_organiser_gets_their_own_list_at_once(world: World) -> None:
    alumni = world.client(world.alumni_a)
    operator = world.client(world.operator_a)
    event = employees_only_event_run_by(world, operator)
    assert SECRET_EVENT not in alumni.get(url(world)).content.decode()  # cached, shared
    with scopes_disabled():
        Organiser.objects.create(network=world.net_a, event=event, membership=world.alumni_a)
    assert SECRET_EVENT in alumni.get(url(world)).content.decode()
    assert SECRET_EVENT not in world.client(world.supporter_a).get(url(world)).content.decode()
    with scopes_disabled():
        Organiser.objects.filter(event=event, membership=world.alumni_a).delete()
    assert SECRET_EVENT not in alumni.get(url(world)).content.decode()
