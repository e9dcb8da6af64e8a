"""Who may open an opportunity is one rule in two forms: ``filter_opportunities()`` for the ORM
and ``may_open()`` for a row already in hand (the opportunity page reads its row from the
cache). Both must agree for every role of the two-network world and every state of an
opportunity, and after a change of role or status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.careers.access import filter_opportunities, may_open
from tsunagu.careers.models import Application, Opportunity, State
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.testing.world import World

from .helpers import answer, make_opportunity

pytestmark = pytest.mark.django_db


def every_state(world: World) -> list[Opportunity]:
    """Open ones for each audience, closed by hand, past the deadline, pending, turned down,
    an alumna's own, one she answered before it closed, and one of the other network."""
    made = [
        make_opportunity(world.employee_a, title=f"{audience}向け", audience=audience)
        for audience in ("all", "alumni", "employees")
    ]
    closed = make_opportunity(world.employee_a, title="締め切った募集")
    past = make_opportunity(world.employee_a, title="期限切れ", audience="alumni")
    pending = make_opportunity(world.alumni_a, title="承認待ち", kind="side_job")
    turned_down = make_opportunity(world.supporter_a, title="見送り", kind="side_job")
    answered_by_her = make_opportunity(world.employee_a, title="応募済みで締切")
    answer(world.alumni_a, answered_by_her)
    other = make_opportunity(world.operator_b, title="ひだまりの募集")
    with scopes_disabled():
        Opportunity.objects.filter(pk__in=[closed.pk, answered_by_her.pk]).update(
            closed_at=timezone.now()
        )
        Opportunity.objects.filter(pk=past.pk).update(
            deadline=timezone.localdate() - timedelta(days=1)
        )
        Opportunity.objects.filter(pk=pending.pk).update(state=State.PENDING)
        Opportunity.objects.filter(pk=turned_down.pk).update(state=State.REJECTED)
        return list(
            Opportunity.objects.filter(
                pk__in=[o.pk for o in [*made, closed, past, pending, turned_down]]
                + [answered_by_her.pk, other.pk]
            )
        )


def members(world: World) -> list[Membership]:
    return [
        world.operator_a,
        world.supporter_a,
        world.employee_a,
        world.alumni_a,
        world.operator_b,
        world.supporter_b,
        world.alumni_b,
    ]


def assert_parity(member: Membership, opportunities: list[Opportunity]) -> None:
    with scopes_disabled():
        member = Membership.objects.get(pk=member.pk)
        answered = set(
            Application.objects.filter(member=member).values_list("opportunity_id", flat=True)
        )
    with scope(network=member.network):
        by_orm = set(filter_opportunities(member).values_list("pk", flat=True))
    by_row = {o.pk for o in opportunities if may_open(member, o, answered)}
    assert by_row == by_orm & {o.pk for o in opportunities}, member


def test_every_role_may_open_the_same_opportunities_by_both_forms(world: World) -> None:
    opportunities = every_state(world)
    for member in members(world):
        assert_parity(member, opportunities)
    # The rule is not empty: each form lets someone in and keeps someone out.
    with scope(network=world.net_a):
        seen_by_alumna = set(filter_opportunities(world.alumni_a).values_list("title", flat=True))
    assert "応募済みで締切" in seen_by_alumna  # she answered before it closed
    assert "employees向け" not in seen_by_alumna
    assert "ひだまりの募集" not in seen_by_alumna


def test_after_a_change_of_role_or_status_both_forms_agree_at_once(world: World) -> None:
    opportunities = every_state(world)
    for change in (
        {"role": Role.EMPLOYEE},
        {"role": Role.OPERATOR},
        {"role": Role.ALUMNI},
        {"status": Status.SUSPENDED},
        {"status": Status.ACTIVE},
    ):
        with scopes_disabled():
            Membership.objects.filter(pk=world.alumni_a.pk).update(**change)
        assert_parity(world.alumni_a, opportunities)
