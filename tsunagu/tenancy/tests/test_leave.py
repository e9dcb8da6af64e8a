"""A member leaves a network of their own choice (/n/<slug>/leave/)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.notify.models import Notification
from tsunagu.tenancy.actions import do_change_role, do_leave_network
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
def test_member_reads_what_happens_leaves_and_is_told_they_left(world: World) -> None:
    client = english(world, world.alumni_a)
    page = client.get(LEAVE).content.decode()
    assert "You disappear from the member directory" in page
    assert "former member" in page
    assert 'action="/n/mitsuba-a/leave/"' in page

    before = timezone.now()
    response = client.post(LEAVE)
    assert response.status_code == 302
    assert response["Location"] == LEAVE
    told = client.get(LEAVE)
    assert told.status_code == 200
    assert "You have left 三ツ葉商事 アルムナイ" in told.content.decode()

    alumni = reload(world.alumni_a)
    assert alumni.status == Status.LEFT
    assert alumni.left_by_choice
    assert alumni.status_changed_at >= before
    # The network is gone from the member's networks, and its pages are closed to them.
    assert client.get("/n/mitsuba-a/").status_code == 403
    choose = client.get("/?choose=1").content.decode()
    assert "三ツ葉商事 アルムナイ" not in choose


@pytest.mark.django_db
def test_the_directory_no_longer_lists_who_left(world: World) -> None:
    others = world.client(world.employee_a)
    assert "田中 花子" in others.get("/n/mitsuba-a/members/").content.decode()  # warm the cache
    do_leave_network(world.alumni_a)
    directory = others.get("/n/mitsuba-a/members/").content.decode()
    assert "田中 花子" not in directory
    assert "鈴木 一郎" in directory
    profile = others.get(f"/n/mitsuba-a/members/{world.alumni_a.pk}/")
    assert profile.status_code == 404


@pytest.mark.django_db
def test_operators_are_told_and_the_leaving_is_audited_with_the_member_as_actor(
    world: World,
) -> None:
    second = make_member(world.net_a, make_user(name="第二 運営"), role=Role.OPERATOR)
    do_leave_network(world.alumni_a)
    with scope(network=world.net_a):
        told = set(
            Notification.objects.filter(network=world.net_a, kind="member_left").values_list(
                "recipient_id", flat=True
            )
        )
        [entry] = AuditEntry.objects.filter(network=world.net_a, target=world.alumni_a)
    assert told == {world.operator_a.user_id, second.user_id}  # not the supporter, not B
    assert entry.action == AuditAction.CHANGE_STATUS
    assert entry.actor_id == world.alumni_a.user_id
    assert entry.detail == {"before": "active", "after": "left"}
    bell = english(world, world.operator_a).get("/n/mitsuba-a/notifications/").content.decode()
    assert "田中 花子" in bell and "left 三ツ葉商事 アルムナイ" in bell


@pytest.mark.django_db
def test_the_last_operator_is_asked_to_hand_over_and_cannot_leave(world: World) -> None:
    client = english(world, world.operator_a)
    page = client.get(LEAVE).content.decode()
    assert "You are the only operator of this network" in page
    assert 'action="/n/mitsuba-a/leave/"' not in page  # no button to press
    refused = client.post(LEAVE)
    assert refused.status_code == 409
    assert "Make another member an operator" in refused.content.decode()
    with pytest.raises(ValidationError):
        do_leave_network(world.operator_a)
    assert reload(world.operator_a).status == Status.ACTIVE

    # Once someone else is an operator, the first one may go.
    with scope(network=world.net_a):
        do_change_role(world.operator_a, world.supporter_a, Role.OPERATOR)
    assert client.post(LEAVE).status_code == 302
    assert reload(world.operator_a).status == Status.LEFT
    # And the new one is now the last.
    with pytest.raises(ValidationError):
        do_leave_network(reload(world.supporter_a))


@pytest.mark.django_db
def test_leaving_a_network_one_is_not_in_is_a_404(world: World) -> None:
    for who in (world.outsider, world.alumni_b, world.operator_b):
        client = world.client(who)
        assert client.get(LEAVE).status_code == 404
        assert client.post(LEAVE).status_code == 404
    with scopes_disabled():
        pending = Membership.objects.create(
            network=world.net_a, user=make_user(name="申請中"), status=Status.PENDING
        )
    assert world.client(pending).post(LEAVE).status_code == 404
    assert world.client(None).get(LEAVE).status_code == 302  # to the login page
    # Already left: a second press says so, with a 404, and changes nothing.
    do_leave_network(world.alumni_a)
    left_at = reload(world.alumni_a).status_changed_at
    again = english(world, world.alumni_a).post(LEAVE)
    assert again.status_code == 404
    assert "You have left" in again.content.decode()
    assert reload(world.alumni_a).status_changed_at == left_at
    with pytest.raises(Exception) as refused:
        do_leave_network(reload(world.alumni_a))
    assert refused.typename == "Http404"
