"""A member who left a network comes back through an invitation link, unless the office
removed them (/n/<slug>/leave/ tells them so)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.onboarding.actions import do_accept_link, do_create_link
from tsunagu.tenancy.actions import do_leave_network
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.testing.world import World

LEAVE = "/n/mitsuba-a/leave/"


def reload(membership: Membership) -> Membership:
    with scopes_disabled():
        return Membership.objects.get(pk=membership.pk)


def english(world: World, who: Membership | object) -> Client:
    client = world.client(who)  # type: ignore[arg-type]
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_a_member_who_left_comes_back_with_a_new_link_and_their_name(world: World) -> None:
    do_leave_network(world.alumni_a)
    with scope(network=world.net_a):
        link = do_create_link(
            world.operator_a,
            label="再招待",
            role=Role.ALUMNI,
            max_uses=1,
            expires_at=timezone.now() + timedelta(days=7),
        )
        back = do_accept_link(world.alumni_a.user, link)
    back = reload(back)
    assert back.status == Status.ACTIVE and not back.left_by_choice
    directory = world.client(world.employee_a).get("/n/mitsuba-a/members/").content.decode()
    assert "田中 花子" in directory


@pytest.mark.django_db
def test_a_member_removed_by_the_office_cannot_come_back_through_a_link(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    from tsunagu.tenancy.actions import do_change_status

    with scope(network=world.net_a):
        do_change_status(world.operator_a, world.alumni_a, Status.LEFT)
        link = do_create_link(
            world.operator_a,
            label="再招待",
            role=Role.ALUMNI,
            max_uses=1,
            expires_at=timezone.now() + timedelta(days=7),
        )
        with pytest.raises(PermissionDenied):
            do_accept_link(world.alumni_a.user, link)
    told = english(world, world.alumni_a).get(LEAVE).content.decode()
    assert "You are no longer a member" in told
