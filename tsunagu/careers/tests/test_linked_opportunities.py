"""Opportunities offered to linked networks: seen only by members of networks joined to the
owner by an active link that shares opportunities, at the next request after any change, with
the answers going to the owner's poster and operators, recorded as disclosures."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.careers.models import Application
from tsunagu.collab.actions import do_revoke_link, do_withdraw_scope
from tsunagu.collab.models import Disclosure, Link
from tsunagu.collab.tests.helpers import link_networks, request_link
from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.notify.models import Notification
from tsunagu.tenancy.actions import do_change_role
from tsunagu.tenancy.models import Membership, Role
from tsunagu.testing.world import CANARY_A, World

from .helpers import answer, make_opportunity, url

pytestmark = pytest.mark.django_db

TITLE = f"業務委託：新規事業の壁打ち {CANARY_A}"
OWNER = "三ツ葉商事 アルムナイ"


def offer(world: World, **fields: object) -> object:
    data: dict[str, object] = {"title": TITLE, "kind": "outsourcing", "audience": "linked"}
    return make_opportunity(world.employee_a, **{**data, **fields})


def page(world: World, member: Membership, rest: str = "") -> tuple[int, str]:
    response = world.client(member).get(url(world, rest, member.network))
    return response.status_code, response.content.decode()


def link(world: World, scopes: tuple[str, ...] = ("opportunities",)) -> Link:
    return link_networks(world.operator_a, world.operator_b, scopes)


def revoke(member: Membership, found: Link) -> None:
    with scope(network=member.network):
        do_revoke_link(member, found)


def third_member() -> Membership:
    third = make_network(name="つる会", slug="tsuru")
    make_member(third, make_user(name="鶴田 運営"), role=Role.OPERATOR)
    return make_member(third, make_user(name="亀井 会員"), role=Role.ALUMNI)


def test_members_of_a_linked_network_see_the_offer_marked_with_its_network(world: World) -> None:
    link(world)
    opportunity = offer(world)
    status, listed = page(world, world.alumni_b)
    assert status == 200 and TITLE in listed and OWNER in listed
    status, detail = page(world, world.alumni_b, f"{opportunity.pk}/")
    assert status == 200 and TITLE in detail and OWNER in detail
    # The owner network's own members see it too, as they see one for everyone.
    assert TITLE in page(world, world.alumni_a)[1]


@pytest.mark.parametrize("state", ["none", "requested", "active", "revoked"])
def test_only_an_active_link_shows_the_offer(world: World, state: str) -> None:
    opportunity = offer(world)
    if state == "requested":
        request_link(world.operator_a, world.net_b.slug, ["opportunities"])
    elif state in ("active", "revoked"):
        found = link(world)
        assert TITLE in page(world, world.alumni_b)[1]  # kept in the cache now
        if state == "revoked":
            revoke(world.operator_b, found)
    status, listed = page(world, world.alumni_b)
    assert status == 200
    assert (TITLE in listed) == (state == "active")
    assert (CANARY_A in listed) == (state == "active")
    detail_status = page(world, world.alumni_b, f"{opportunity.pk}/")[0]
    assert detail_status == (200 if state == "active" else 404)


def test_a_link_without_the_scope_or_that_loses_it_shows_nothing(world: World) -> None:
    found = link(world, ("directory", "opportunities"))
    offer(world)
    assert TITLE in page(world, world.alumni_b)[1]
    with scope(network=world.net_b):  # B stops sharing opportunities over the link
        do_withdraw_scope(world.operator_b, found, "opportunities")
    assert TITLE not in page(world, world.alumni_b)[1]
    assert TITLE in page(world, world.alumni_a)[1]


def test_an_offer_for_everyone_or_a_third_network_never_crosses(world: World) -> None:
    link(world)
    make_opportunity(world.employee_a, title=f"社内だけの募集 {CANARY_A}", audience="all")
    opportunity = offer(world)
    assert "社内だけの募集" not in page(world, world.alumni_b)[1]
    stranger = third_member()
    status, listed = page(world, stranger)
    assert status == 200 and CANARY_A not in listed
    assert page(world, stranger, f"{opportunity.pk}/")[0] == 404
    response = world.client(stranger).post(
        url(world, f"{opportunity.pk}/answer/", stranger.network), {"mode": "interest"}
    )
    assert response.status_code == 404
    with scopes_disabled():
        assert not Application.objects.exists()


def test_a_linked_member_applies_and_the_poster_sees_who_with_a_record(world: World) -> None:
    link(world)
    opportunity = offer(world)
    client = world.client(world.alumni_b)
    response = client.post(
        url(world, f"{opportunity.pk}/answer/", world.net_b),
        {"mode": "apply", "message": "新規事業の立ち上げを三度経験しました。"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        sent = Application.objects.get()
        assert (sent.network_id, sent.applicant_network_id) == (world.net_a.pk, world.net_b.pk)
        assert Notification.objects.filter(
            network=world.net_a, recipient=world.employee_a.user, kind="careers_answer"
        ).exists()
    mine = page(world, world.alumni_b, "mine/")[1]
    assert TITLE in mine and OWNER in mine
    # The poster and the owner's operators see the name, the network and the message.
    for reader in (world.employee_a, world.operator_a):
        status, answers = page(world, reader, f"{opportunity.pk}/answers/")
        assert status == 200
        assert world.alumni_b.user.name in answers
        assert world.net_b.name in answers and "三度経験しました" in answers
    with scopes_disabled():
        record = Disclosure.objects.get()
    assert (record.network_id, record.membership_id) == (world.net_b.pk, world.alumni_b.pk)
    assert record.viewer_network_id == world.net_a.pk and record.consent_id is None
    assert record.basis == f"application #{sent.pk}"
    # The applicant sees the record on their page of who outside their network saw their data.
    seen = world.client(world.alumni_b).get(f"/n/{world.net_b.slug}/links/seen/")
    assert OWNER in seen.content.decode()
    # Nobody else: another member of the owner network, the linked network's operator.
    assert page(world, world.alumni_a, f"{opportunity.pk}/answers/")[0] == 403
    assert page(world, world.operator_b, f"{opportunity.pk}/answers/")[0] == 403


def test_the_poster_moves_the_answer_on_and_the_applicant_hears_in_their_network(
    world: World,
) -> None:
    link(world)
    opportunity = offer(world)
    sent = answer(world.alumni_b, opportunity, mode="interest")
    response = world.client(world.employee_a).post(
        url(world, f"answers/{sent.pk}/status/"), {"status": "contact"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        told = Notification.objects.get(kind="careers_status")
    assert (told.network_id, told.recipient_id) == (world.net_b.pk, world.alumni_b.user_id)
    assert f"/n/{world.net_b.slug}/" in told.url
    withdrawn = world.client(world.alumni_b).post(
        url(world, f"answers/{sent.pk}/withdraw/", world.net_b)
    )
    assert withdrawn.status_code == 302
    with scopes_disabled():
        assert Application.objects.get().status == "withdrawn"


def test_a_demoted_operator_no_longer_sees_the_linked_answers(world: World) -> None:
    link(world)
    opportunity = offer(world)
    answer(world.alumni_b, opportunity, mode="interest")
    assert page(world, world.operator_a, f"{opportunity.pk}/answers/")[0] == 200
    with scope(network=world.net_a):
        do_change_role(world.operator_a, world.supporter_a, Role.OPERATOR)
        do_change_role(world.supporter_a, world.operator_a, Role.ALUMNI)
    status, body = page(world, world.operator_a, f"{opportunity.pk}/answers/")
    assert status == 403 and world.alumni_b.user.name not in body


def test_the_list_with_linked_offers_costs_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    link(world)
    for n in range(3):
        offer(world, title=f"{TITLE} {n}")
    client = world.client(world.alumni_b)
    address = url(world, "", world.net_b)
    client.get(address)
    for n in range(3, 8):
        offer(world, title=f"{TITLE} {n}")
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        response = client.get(address)
    assert response.status_code == 200 and f"{TITLE} 7" in response.content.decode()


@pytest.mark.parametrize("ended", [False, True])
def test_both_forms_of_the_rule_agree_on_linked_offers(world: World, ended: bool) -> None:
    from django.utils import timezone

    from tsunagu.careers.models import Opportunity, State

    from .test_access_parity import assert_parity, members

    found = link(world, ("directory", "opportunities"))
    offers = [offer(world, title=f"{TITLE} {n}") for n in range(4)]
    offers.append(make_opportunity(world.operator_b, title="ひだまりからの募集", audience="linked"))
    answer(world.alumni_b, offers[0], mode="interest")
    with scopes_disabled():
        Opportunity.objects.filter(pk=offers[1].pk).update(closed_at=timezone.now())
        Opportunity.objects.filter(pk=offers[2].pk).update(state=State.PENDING)
    if ended:
        revoke(world.operator_a, found)
    with scopes_disabled():
        rows = list(Opportunity.objects.filter(pk__in=[o.pk for o in offers]))
    for member in [*members(world), third_member()]:
        assert_parity(member, rows)
