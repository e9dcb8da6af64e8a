"""The operators' community: only active operators of active alumni networks may apply, with the
founding note's questions; its operators approve or decline through the ordinary queue; who is
in stays in; nothing of it shows in the members' networks, nor theirs in it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.boards.models import Category
from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.notify.models import Notification
from tsunagu.onboarding.actions import do_create_link
from tsunagu.onboarding.community import CATEGORIES, QUESTIONS, create_operators_community
from tsunagu.onboarding.models import Application
from tsunagu.tenancy.actions import do_change_role
from tsunagu.tenancy.models import Membership, Network, NetworkKind, Role, Status
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(world: World) -> Network:
    """The community, organised by network B's operator."""
    network, created = create_operators_community(world.operator_b.user)
    assert created
    return network


def apply(client: Any, community: Network, operated: Network | None) -> Any:
    data = {f"q{i}": f"回答{i} {CANARY_A}" for i in range(len(QUESTIONS))}
    data["declaration"] = "on"
    if operated is not None:
        data["operated"] = str(operated.pk)
    return client.post(f"/n/{community.slug}/apply/", data)


def applications(community: Network) -> list[Application]:
    with scopes_disabled():
        return list(Application.objects.filter(network=community))


def decide(world: World, community: Network, application: Application, **data: str) -> Any:
    with scopes_disabled():
        organiser = Membership.objects.get(network=community, user=world.operator_b.user)
    return world.client(organiser).post(
        f"/n/{community.slug}/manage/applications/{application.pk}/", data
    )


def test_the_command_makes_the_community_with_its_questions_and_boards(world: World) -> None:
    call_command("create_operators_community", organiser=world.operator_b.user.email)
    with scopes_disabled():
        community = Network.objects.get(kind=NetworkKind.OPERATORS)
        names = list(Category.objects.filter(network=community).values_list("name", flat=True))
        organiser = Membership.objects.get(network=community, user=world.operator_b.user)
    assert names == [name for name, _text in CATEGORIES] == ["会場", "広報", "登壇者", "求人・案件"]
    assert organiser.role == Role.OPERATOR and community.join_questions == QUESTIONS
    call_command("create_operators_community", organiser=world.operator_b.user.email)
    with scopes_disabled():
        assert Network.objects.filter(kind=NetworkKind.OPERATORS).count() == 1


def test_an_operator_applies_naming_their_network_and_the_organisers_are_told(
    world: World, community: Network
) -> None:
    client = world.client(world.operator_a)
    about = client.get(f"/n/{community.slug}/about/").content.decode()
    assert 'id="network-kind"' in about and "定常的に運営" in about
    page = client.get(f"/n/{community.slug}/apply/")
    assert page.status_code == 200
    body = page.content.decode()
    assert QUESTIONS[0] in body and world.net_a.name in body and "定常的に運営" in body
    assert apply(client, community, world.net_a).status_code == 302
    [sent] = applications(community)
    assert sent.answers[0]["answer"] == world.net_a.name
    with scopes_disabled():
        told = Notification.objects.get(kind="join_application")
        pending = Membership.objects.get(network=community, user=world.operator_a.user)
    assert told.recipient_id == world.operator_b.user_id and told.network_id == community.pk
    assert pending.status == Status.PENDING


@pytest.mark.parametrize("who", ["alumni", "employee", "outsider", "inactive_network"])
def test_anyone_but_an_active_operator_is_refused_clearly(
    world: World, community: Network, who: str
) -> None:
    if who == "inactive_network":
        sleeping = make_network(name="休止中の会", slug="sleeping", is_active=False)
        user = make_member(sleeping, make_user(name="休止 運営"), role=Role.OPERATOR).user
    else:
        user = {
            "alumni": world.alumni_a.user,
            "employee": world.employee_a.user,
            "outsider": world.outsider,
        }[who]
    client = world.client(user)
    page = client.get(f"/n/{community.slug}/apply/")
    assert page.status_code == 403 and 'id="apply-refused"' in page.content.decode()
    assert 'name="declaration"' not in page.content.decode()
    assert apply(client, community, world.net_a).status_code == 403
    assert applications(community) == []


def test_a_link_to_the_community_admits_no_one_who_is_not_an_operator(
    world: World, community: Network
) -> None:
    with scopes_disabled():
        organiser = Membership.objects.get(network=community, user=world.operator_b.user)
    with scope(network=community):
        link = do_create_link(
            organiser, label="紹介用", role=Role.ALUMNI, max_uses=None, expires_at=None
        )
    refused = world.client(world.alumni_a).post(f"/n/{community.slug}/join/{link.token}/")
    assert refused.status_code == 403
    admitted = world.client(world.operator_a).post(f"/n/{community.slug}/join/{link.token}/")
    assert admitted.status_code == 302
    with scopes_disabled():
        assert set(
            Membership.objects.filter(network=community).values_list("user_id", flat=True)
        ) == {world.operator_b.user_id, world.operator_a.user_id}


def test_approval_admits_with_a_message_audited_and_the_member_stays_after_a_demotion(
    world: World, community: Network, django_capture_on_commit_callbacks: Any
) -> None:
    apply(world.client(world.operator_a), community, world.net_a)
    [sent] = applications(community)
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(world, community, sent, decision="approve", note="ようこそ！")
    assert response.status_code == 302
    with scopes_disabled():
        joined = Membership.objects.get(network=community, user=world.operator_a.user)
        assert AuditEntry.objects.filter(network=community, action=AuditAction.APPROVE).exists()
    assert (joined.status, joined.role) == (Status.ACTIVE, Role.ALUMNI)
    assert any("ようこそ！" in m.body for m in mail.outbox if world.operator_a.user.email in m.to)
    # Demoted at home, they stay a member of the community (its own members).
    with scope(network=world.net_a):
        do_change_role(world.operator_a, world.supporter_a, Role.OPERATOR)
        do_change_role(world.supporter_a, world.operator_a, Role.ALUMNI)
    assert world.client(world.operator_a).get(f"/n/{community.slug}/").status_code == 200


def test_a_demoted_operator_loses_the_right_to_apply_and_to_be_approved_at_once(
    world: World, community: Network
) -> None:
    client = world.client(world.operator_a)
    apply(client, community, world.net_a)
    [sent] = applications(community)
    with scope(network=world.net_a):
        do_change_role(world.operator_a, world.supporter_a, Role.OPERATOR)
        do_change_role(world.supporter_a, world.operator_a, Role.ALUMNI)
    decide(world, community, sent, decision="approve")
    with scopes_disabled():
        waiting = Membership.objects.get(network=community, user=world.operator_a.user)
        assert waiting.status == Status.PENDING
    declined = decide(world, community, sent, decision="reject", note="運営を離れられたため")
    assert declined.status_code == 302
    with scopes_disabled():
        assert not Membership.objects.filter(network=community, user=world.operator_a.user)
        assert AuditEntry.objects.filter(network=community, action=AuditAction.REJECT).exists()
    again = client.get(f"/n/{community.slug}/apply/")
    assert again.status_code == 403


def test_the_community_and_the_members_networks_keep_their_own_data(
    world: World, community: Network
) -> None:
    with scopes_disabled():
        category = Category.objects.filter(network=community).first()
    assert category is not None
    # A network's member who is no operator sees nothing of the community's boards.
    outsider_view = world.client(world.alumni_a).get(f"/n/{community.slug}/boards/")
    assert outsider_view.status_code in (302, 403, 404)
    assert "会場" not in outsider_view.content.decode()
    # Its organiser (operator of B) sees none of network A's pages through it.
    with scopes_disabled():
        organiser = Membership.objects.get(network=community, user=world.operator_b.user)
    own = world.client(organiser).get(f"/n/{community.slug}/boards/")
    assert own.status_code == 200 and "会場" in own.content.decode()
    assert CANARY_A not in own.content.decode()
    assert world.client(organiser).get(f"/n/{world.net_a.slug}/boards/").status_code in (
        302,
        403,
        404,
    )
    a_boards = world.client(world.alumni_a).get(f"/n/{world.net_a.slug}/boards/")
    assert "登壇者" not in a_boards.content.decode()
