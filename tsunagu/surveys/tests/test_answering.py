"""Members answer: one response each, editable until the survey closes, progress kept; every kind
of bad answer is refused with a message, never stored."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.core.forms import MAX_LENGTH
from tsunagu.core.testing.messages import INVALID_CHOICE, REQUIRED_CHOICE, ja
from tsunagu.surveys.models import Answer, Draft, Kind, Participation, Response, Survey
from tsunagu.surveys.tests.helpers import add_question, choice_ids, make_survey, satisfaction_survey
from tsunagu.testing.world import World


def url(world: World, survey, suffix: str = "") -> str:
    return f"/n/{survey.network.slug}/surveys/{survey.pk}/{suffix}"


def full_answer(questions) -> dict[str, object]:
    single, multiple = choice_ids(questions["single"]), choice_ids(questions["multiple"])
    return {
        f"q{questions['single'].pk}": str(single[0]),
        f"q{questions['multiple'].pk}": [str(multiple[0]), "other"],
        f"q{questions['multiple'].pk}_other": "キャリア相談会",
        f"q{questions['scale'].pk}": "4",
        f"q{questions['nps'].pk}": "9",
        f"q{questions['short'].pk}": "IT・通信",
        f"q{questions['long'].pk}": "年に一度の総会が楽しみです。",
        f"q{questions['date'].pk}": "2030-06-01",
    }


def answers_of(survey) -> list[tuple]:
    with scopes_disabled():
        return sorted(
            Answer.objects.filter(survey=survey).values_list(
                "question__kind", "choice__label", "is_other", "number", "text", "date"
            ),
            key=str,
        )


@pytest.mark.django_db
def test_a_member_answers_every_kind_of_question_once_and_can_change_it_until_it_closes(
    world: World,
) -> None:
    survey, questions = satisfaction_survey(world.net_a)
    client = world.client(world.alumni_a)
    page = client.get(url(world, survey))
    body = page.content.decode()
    assert page.status_code == 200
    assert "<fieldset" in body and "<legend>アルムナイ活動への満足度は?" in body
    response = client.post(url(world, survey), full_answer(questions), follow=True)
    assert "ご回答ありがとうございました" in response.content.decode()
    kinds = [a[0] for a in answers_of(survey)]
    assert sorted(kinds) == sorted(
        ["single", "multiple", "multiple", "scale", "nps", "short", "long", "date"]
    )
    # Back on the page, their answers are there; they change one.
    again = client.get(url(world, survey)).content.decode()
    assert "回答済みです" in again and "年に一度の総会が楽しみです。" in again
    changed = full_answer(questions) | {f"q{questions['scale'].pk}": "2"}
    response = client.post(url(world, survey), changed, follow=True)
    assert "回答を更新しました" in response.content.decode()
    with scopes_disabled():
        assert Response.objects.filter(survey=survey).count() == 1
        assert Participation.objects.filter(survey=survey).count() == 1
        assert Answer.objects.get(question=questions["scale"]).number == 2
    # Once it has closed, the answers stay as they were sent.
    with scopes_disabled():
        Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    late = full_answer(questions) | {f"q{questions['scale'].pk}": "5"}
    assert client.post(url(world, survey), late).status_code == 400
    with scopes_disabled():
        assert Answer.objects.get(question=questions["scale"]).number == 2


@pytest.mark.django_db
def test_answering_twice_from_two_tabs_makes_one_response_with_the_later_answers(
    world: World,
) -> None:
    survey, questions = satisfaction_survey(world.net_a)
    first_tab, second_tab = world.client(world.alumni_a), world.client(world.alumni_a)
    first_tab.get(url(world, survey))
    second_tab.get(url(world, survey))
    first_tab.post(url(world, survey), full_answer(questions))
    later = full_answer(questions) | {f"q{questions['short'].pk}": "製造業"}
    assert second_tab.post(url(world, survey), later).status_code == 302
    with scopes_disabled():
        assert Response.objects.filter(survey=survey).count() == 1
        assert Participation.objects.filter(survey=survey).count() == 1
        assert Answer.objects.get(question=questions["short"]).text == "製造業"


@pytest.mark.django_db
def test_progress_is_kept_when_a_member_leaves_halfway(world: World) -> None:
    survey, questions = satisfaction_survey(world.net_a)
    client = world.client(world.alumni_a)
    halfway = {
        f"q{questions['long'].pk}": "途中まで書きました",
        f"q{questions['scale'].pk}": "3",
        "save": "draft",
    }
    response = client.post(url(world, survey), halfway, follow=True)
    assert "途中までの回答を保存しました" in response.content.decode()
    with scopes_disabled():
        assert not Response.objects.exists()  # nothing counted yet
        assert Draft.objects.count() == 1
    back = client.get(url(world, survey)).content.decode()
    assert "途中まで書きました" in back
    scale = questions["scale"].pk
    assert re.search(rf'name="q{scale}" value="3"[^>]*checked', back)
    assert not re.search(rf'name="q{scale}" value="4"[^>]*checked', back)
    assert 'class="errorlist' not in back  # what is missing is not an error yet
    # The autosave (HTMX, on change) keeps it too, and sending clears the draft.
    autosave = client.post(url(world, survey, "draft/"), {f"q{questions['short'].pk}": "金融"})
    assert autosave.status_code == 200 and "保存" in autosave.content.decode()
    client.post(url(world, survey), full_answer(questions))
    with scopes_disabled():
        assert not Draft.objects.exists()


@pytest.mark.django_db
def test_a_required_question_left_empty_is_a_field_error(world: World) -> None:
    survey, questions = satisfaction_survey(world.net_a)
    data = full_answer(questions)
    del data[f"q{questions['single'].pk}"]
    response = world.client(world.alumni_a).post(url(world, survey), data)
    assert response.status_code == 400
    assert REQUIRED_CHOICE in response.content.decode()
    assert answers_of(survey) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    ["choice_of_another_question", "choice_of_another_question_of_this_survey",
     "scale_out_of_range", "nps_out_of_range", "text_too_long",
     "other_text_without_other", "not_a_date"],
)  # fmt: skip
def test_bad_answers_are_refused_with_a_message_and_nothing_stored(world: World, bad: str) -> None:
    survey, questions = satisfaction_survey(world.net_a)
    elsewhere = add_question(make_survey(world.net_a), "別の質問", Kind.SINGLE, ("はい", "いいえ"))
    data = full_answer(questions)
    single, multiple = f"q{questions['single'].pk}", f"q{questions['multiple'].pk}"
    if bad == "choice_of_another_question":
        data[single] = str(choice_ids(elsewhere)[0])
    elif bad == "choice_of_another_question_of_this_survey":
        data[single] = str(choice_ids(questions["multiple"])[0])
    elif bad == "scale_out_of_range":
        data[f"q{questions['scale'].pk}"] = "6"
    elif bad == "nps_out_of_range":
        data[f"q{questions['nps'].pk}"] = "-1"
    elif bad == "text_too_long":
        data[f"q{questions['short'].pk}"] = "あ" * 201
    elif bad == "other_text_without_other":
        data[multiple] = [str(choice_ids(questions["multiple"])[0])]
    elif bad == "not_a_date":
        data[f"q{questions['date'].pk}"] = "2030-13-45"
    response = world.client(world.alumni_a).post(url(world, survey), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="errorlist' in body
    expected = {
        "choice_of_another_question": INVALID_CHOICE,
        "choice_of_another_question_of_this_survey": INVALID_CHOICE,
        "other_text_without_other": "「その他」にチェックを入れてください",
        "text_too_long": ja(MAX_LENGTH, limit_value=200, show_value=201),
    }.get(bad)
    if expected:
        assert expected in body
    assert answers_of(survey) == []


@pytest.mark.django_db
def test_the_rules_hold_below_the_form_too(world: World) -> None:
    """An answer built without the form (an API, a script) meets the same rules."""
    from django.core.exceptions import ValidationError

    from tsunagu.surveys.actions import Given, do_submit_response

    survey, questions = satisfaction_survey(world.net_a)
    other_survey = make_survey(world.net_a)
    foreign = add_question(other_survey, "他の調査", Kind.SINGLE, ("A", "B"))
    single = questions["single"]
    ok = Given(choice_ids=choice_ids(single)[:1])
    cases = [
        {single.pk: Given(choice_ids=[choice_ids(foreign)[0]])},
        {single.pk: Given(choice_ids=[choice_ids(questions["multiple"])[0]])},
        {single.pk: ok, questions["scale"].pk: Given(number=0)},
        {single.pk: ok, questions["nps"].pk: Given(number=11)},
        {single.pk: ok, questions["long"].pk: Given(text="長" * 4001)},
        {single.pk: Given(choice_ids=choice_ids(single)[:1], other="その他の回答")},
        {single.pk: Given(choice_ids=choice_ids(single)[:2])},
        {foreign.pk: Given(choice_ids=choice_ids(foreign)[:1])},
    ]  # fmt: skip
    with scopes_disabled():
        for given in cases:
            with pytest.raises(ValidationError):
                do_submit_response(world.alumni_a, survey, given)
    assert answers_of(survey) == []


@pytest.mark.django_db
def test_a_closed_or_not_yet_open_survey_takes_no_answers(world: World) -> None:
    now = timezone.now()
    closed = make_survey(
        world.net_a, opens_at=now - timedelta(days=10), closes_at=now - timedelta(days=1)
    )
    upcoming = make_survey(
        world.net_a, opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=10)
    )
    for survey in (closed, upcoming):
        question = add_question(survey, "満足度", Kind.SCALE)
        client = world.client(world.alumni_a)
        page = client.get(url(world, survey)).content.decode()
        assert '<form class="stack survey-form"' not in page
        response = client.post(url(world, survey), {f"q{question.pk}": "5"})
        assert response.status_code == 400
        assert "受け付けていません" in response.content.decode()
        draft = client.post(url(world, survey, "draft/"), {f"q{question.pk}": "5"})
        assert draft.status_code == 409
        assert answers_of(survey) == []
        with scopes_disabled():
            assert not Draft.objects.exists()


@pytest.mark.django_db
def test_another_networks_survey_is_404_to_answer_and_to_save(world: World) -> None:
    survey, questions = satisfaction_survey(world.net_a)
    for who in (world.alumni_b, world.operator_b):
        client = world.client(who)
        base = f"/n/{world.net_b.slug}/surveys/{survey.pk}/"
        assert client.get(base).status_code == 404
        assert client.post(base, full_answer(questions)).status_code == 404
        assert client.post(base + "draft/", {"q1": "x"}).status_code == 404
        # Through network A's address they are not members: sent away.
        assert client.post(url(world, survey), full_answer(questions)).status_code == 302
    assert answers_of(survey) == []


@pytest.mark.django_db
def test_a_survey_for_employees_is_not_shown_to_alumni(world: World) -> None:
    survey = make_survey(world.net_a, audience="employees", title="社員向け調査")
    add_question(survey, "満足度", Kind.SCALE)
    assert world.client(world.alumni_a).get(url(world, survey)).status_code == 404
    assert world.client(world.employee_a).get(url(world, survey)).status_code == 200
    listing = world.client(world.alumni_a).get(f"/n/{world.net_a.slug}/surveys/").content.decode()
    assert "社員向け調査" not in listing
