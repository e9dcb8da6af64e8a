"""The demo networks hold a closed survey with results and one open now."""

from __future__ import annotations

import random

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.surveys.demo import seed_surveys
from tsunagu.surveys.models import Response, Survey
from tsunagu.testing.world import World


@pytest.mark.django_db
def test_the_demo_has_a_closed_survey_with_results_and_an_open_one(world: World) -> None:
    for n in range(8):
        make_member(world.net_a, make_user(name=f"デモ 会員{n}"))
    with scope(network=world.net_a):
        seed_surveys(world.net_a, world.operator_a, random.Random(1))
    with scopes_disabled():
        closed = Survey.objects.get(title__contains="満足度")
        open_now = Survey.objects.get(title__contains="交流会")
        assert closed.is_closed and open_now.is_open
        assert Response.objects.filter(survey=closed).count() >= 5
    body = (
        world.client(world.operator_a)
        .get(f"/n/{world.net_a.slug}/surveys/{closed.pk}/results/")
        .content.decode()
    )
    assert 'src="data:image/svg+xml;base64,' in body and "回答率" in body
