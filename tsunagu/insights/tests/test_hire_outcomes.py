"""A hire through an opportunity is proposed to the outcome ledger, once, naming the member
hired for the operators only."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django_scopes import scope, scopes_disabled

from tsunagu.careers.actions import do_set_status
from tsunagu.careers.tests.helpers import answer, make_opportunity
from tsunagu.insights.programme_models import Outcome, OutcomeKind, OutcomeStatus
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def hire(world: World, kind: str) -> None:
    opening = make_opportunity(world.employee_a, kind=kind, title=f"{kind} の募集")
    reply = answer(world.alumni_a, opening, mode="apply", message="ぜひ戻りたいです。")
    with scope(network=world.net_a), TestCase.captureOnCommitCallbacks(execute=True):
        for status in ("contact", "interview", "offer", "hired"):
            reply = do_set_status(world.employee_a, reply, status)


def test_a_comeback_hire_is_proposed_to_the_ledger_once(world: World) -> None:
    hire(world, "comeback")

    with scopes_disabled():
        outcome = Outcome.objects.get(network=world.net_a)
        named = list(outcome.people.values_list("member_id", flat=True))
    assert (outcome.kind, outcome.status) == (OutcomeKind.COMEBACK_HIRE, OutcomeStatus.PROPOSED)
    assert named == [world.alumni_a.pk]
    ledger = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/ledger/").content.decode()
    assert "確認待ち" in ledger
    # Supporters and the hired member's peers never see the ledger.
    assert world.client(world.supporter_a).get(f"/n/{world.net_a.slug}/ledger/").status_code in (
        403,
        404,
    )


def test_an_outsourcing_contract_is_proposed_as_one(world: World) -> None:
    hire(world, "outsourcing")
    with scopes_disabled():
        assert Outcome.objects.get().kind == OutcomeKind.OUTSOURCING
