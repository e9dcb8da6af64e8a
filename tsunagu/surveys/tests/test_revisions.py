"""Every change to a survey's questions and every response moves its revision on (questions:
declared in surveys/apps.py; responses, written in bulk, by their action), so its cached results
are computed again on the next view; a draft changes nothing of them."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.revisions import assert_bumps_revision, assert_keeps_revision
from tsunagu.surveys import actions
from tsunagu.surveys.models import Choice, Kind
from tsunagu.surveys.tests.helpers import add_question, make_survey
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def test_editing_sections_questions_and_options_moves_the_survey_on(world: World) -> None:
    survey = make_survey(world.net_a)
    operator = world.operator_a
    with scope(network=world.net_a):
        with assert_bumps_revision(survey):
            actions.do_add_section(operator, survey, "第2部", "")
        with assert_bumps_revision(survey):
            question = actions.do_add_question(
                operator, survey, {"kind": Kind.SINGLE, "text": "満足度"}, ["満足", "不満"]
            )
        with assert_bumps_revision(survey):
            actions.do_update_question(
                operator, question, {"kind": Kind.SINGLE, "text": "満足度"}, ["とても満足", "不満"]
            )
        with scopes_disabled(), assert_bumps_revision(survey):
            choice = Choice.objects.filter(question=question).first()
            assert choice is not None
            choice.label = "大満足"
            choice.save()
        with assert_bumps_revision(survey):
            actions.do_delete_question(operator, question)


def test_a_response_moves_the_survey_on_and_a_draft_does_not(world: World) -> None:
    survey = make_survey(world.net_a)
    question = add_question(survey, "満足度", Kind.SCALE)
    client = world.client(world.alumni_a)
    with scope(network=world.net_a), assert_keeps_revision(survey):
        actions.do_save_draft(world.alumni_a, survey, {f"q{question.pk}": ["4"]})
    with assert_bumps_revision(survey):
        response = client.post(
            f"/n/{world.net_a.slug}/surveys/{survey.pk}/", {f"q{question.pk}": "5"}
        )
        assert response.status_code == 302
