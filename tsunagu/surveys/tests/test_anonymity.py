"""Anonymous surveys, for real: nothing that names the member stands next to an anonymous
answer, in any page, export, notification, audit entry or database row; figures about fewer than
five people are hidden; the mode cannot change once answers exist."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from tsunagu.audit.models import AuditEntry
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.notify.models import Notification
from tsunagu.profiles.actions import profile_of
from tsunagu.surveys.models import Kind, Survey
from tsunagu.surveys.tasks import send_survey_invitations, send_survey_reminders
from tsunagu.surveys.tests.helpers import add_question, choice_ids, make_survey
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import CANARY_A, World

SECRET_ANSWER = "匿名でしか言えない本音-4b1d"


def anonymous_survey(world: World) -> tuple[Survey, dict]:
    survey = make_survey(world.net_a, anonymity="anonymous", title="匿名の満足度調査")
    questions = {
        "single": add_question(survey, "満足度", Kind.SINGLE, ("満足", "不満")),
        "long": add_question(survey, "本音をどうぞ", Kind.LONG),
    }
    return survey, questions


def answer(world: World, member, survey, questions, pick: int = 0, text: str = "") -> None:
    """A member answers on the page; what the answer queues after its commit (the batch of
    anonymous answers) runs, as the worker would run it."""
    data = {f"q{questions['single'].pk}": str(choice_ids(questions["single"])[pick])}
    if text:
        data[f"q{questions['long'].pk}"] = text
    client = world.client(member)
    page = client.get(f"/n/{world.net_a.slug}/surveys/{survey.pk}/")
    if page.context and page.context.get("new_token"):
        data["edit_token"] = page.context["new_token"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/n/{world.net_a.slug}/surveys/{survey.pk}/", data)
    assert response.status_code in (200, 302), response.content.decode()[-2000:]


def many_alumni(world: World, count: int, **profile) -> list:
    members = []
    for n in range(count):
        member = make_member(world.net_a, make_user(name=f"卒業生 {n}"), role=Role.ALUMNI)
        if profile:
            with scopes_disabled():
                p = profile_of(member)
                for key, value in profile.items():
                    setattr(p, key, value)
                p.save()
        members.append(member)
    return members


def close(survey: Survey) -> None:
    with scopes_disabled():
        Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))


def identifiers(member) -> list[str]:
    """What would name the member: their name (carries the canary) and their ids."""
    return [member.user.name, CANARY_A, f"user_id={member.user_id}", member.user.email]


@pytest.mark.django_db
def test_the_canary_never_appears_next_to_an_anonymous_answer(
    world: World, caplog, django_capture_on_commit_callbacks
) -> None:
    caplog.set_level(logging.DEBUG)  # every log line written while answering and exporting
    survey, questions = anonymous_survey(world)
    with django_capture_on_commit_callbacks(execute=True):
        send_survey_invitations()
    answer(world, world.alumni_a, survey, questions, text=SECRET_ANSWER)  # named 田中 花子 カナリア
    for member in many_alumni(world, 5):
        answer(world, member, survey, questions, pick=1, text="特になし")
    with scopes_disabled():
        Survey.objects.filter(pk=survey.pk).update(
            invited_at=timezone.now() - timedelta(days=7),
            closes_at=timezone.now() + timedelta(days=2),
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_survey_reminders() == 3  # the others, who have not answered
    close(survey)  # the cross-tabulations of an anonymous survey are shown once it has closed
    operator = world.client(world.operator_a)
    base = f"/n/{world.net_a.slug}/surveys/{survey.pk}/"
    pages = {
        "results": operator.get(base + "results/").content.decode(),
        "crosstab": operator.get(base + "crosstab/?by=role").content.decode(),
        "crosstab-year": operator.get(base + "crosstab/?by=left_year").content.decode(),
        "csv": operator.get(base + "answers.csv").content.decode("utf-8-sig"),
        "csv-sjis": operator.get(base + "answers.csv?encoding=shift_jis").content.decode("cp932"),
        "questions": operator.get(base + "questions/").content.decode(),
        "list": operator.get(f"/n/{world.net_a.slug}/surveys/").content.decode(),
        "audit": operator.get(f"/n/{world.net_a.slug}/manage/audit/").content.decode(),
    }
    xlsx = operator.get(base + "answers.xlsx")
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    pages["xlsx"] = "\n".join(
        "\t".join(str(c) for c in row if c is not None)
        for row in book.active.iter_rows(values_only=True)
    )
    assert SECRET_ANSWER in pages["results"] and SECRET_ANSWER in pages["csv"]
    assert SECRET_ANSWER in pages["xlsx"]
    for where, text in pages.items():
        # The operator's own name is in the header of every page; the respondent's must not be.
        text = text.replace(world.operator_a.user.name, "")
        for mark in identifiers(world.alumni_a):
            assert mark not in text, f"{mark!r} leaks in the {where}"
    with scopes_disabled():
        notes = " ".join(f"{n.params} {n.body} {n.url}" for n in Notification.objects.all())
        audit = " ".join(
            f"{e.actor_name} {e.detail} {e.target_id}" for e in AuditEntry.objects.all()
        )
    mails = " ".join(f"{m.subject} {m.body}" for m in mail.outbox)
    assert "匿名の満足度調査" in mails  # the invitations and the reminder were mailed
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for text in (notes, audit, mails, logged):
        assert SECRET_ANSWER not in text
    assert world.alumni_a.user.name not in audit


@pytest.mark.django_db
def test_anonymous_results_hide_every_count_under_five(world: World) -> None:
    survey, questions = anonymous_survey(world)
    members = many_alumni(world, 7)
    for member in members[:3]:
        answer(world, member, survey, questions, pick=0)
    operator = world.client(world.operator_a)
    results = f"/n/{world.net_a.slug}/surveys/{survey.pk}/results/"
    body = operator.get(results).content.decode()
    assert "回答者が5人未満のため" in body and "<img" not in body
    for member in members[3:]:
        answer(world, member, survey, questions, pick=1)
    # Written in batches of five: the first five are shown, the other two wait for more
    # answers or the closing.
    assert "5人が回答" in operator.get(results).content.decode()
    close(survey)
    # 3 chose 満足 and 4 chose 不満: both under five, so neither is shown.
    body = operator.get(results).content.decode()
    assert "7人が回答" in body
    assert '<th scope="row">満足</th><td class="num">—</td><td class="num">—</td>' in body
    assert '<th scope="row">不満</th><td class="num">—</td><td class="num">—</td>' in body


@pytest.mark.django_db
def test_a_cross_tab_never_shows_a_group_of_fewer_than_five(world: World) -> None:
    survey, questions = anonymous_survey(world)
    for member in many_alumni(world, 6, last_department="営業部"):
        answer(world, member, survey, questions, pick=0)
    for member in many_alumni(world, 2, last_department="人事部"):  # two people: must not show
        answer(world, member, survey, questions, pick=1)
    crosstab = f"/n/{world.net_a.slug}/surveys/{survey.pk}/crosstab/?by=department"
    # While answers still come in, no table: two views apart would show whose answer came.
    page = world.client(world.operator_a).get(crosstab)
    assert page.status_code == 200 and page.context["tables"] == []
    assert "営業部" not in page.content.decode()
    close(survey)
    page = world.client(world.operator_a).get(crosstab)
    body = page.content.decode()
    assert page.context["tables"][0]["groups"]  # closed: the eight are shown, pooled
    assert page.status_code == 200
    assert "人事部" not in body
    table = page.context["tables"][0]
    labels = [label for label, _n, _cells in table["groups"]]
    # The two were pooled with the smallest shown group so that the overall counts minus the
    # shown groups cannot single them out; a pool of 8 is fine, or nothing is shown at all.
    assert "人事部" not in labels
    for _label, people, cells in table["groups"]:
        assert people >= 5
        assert all(cell is None or cell >= 5 or cell == 0 for cell in cells)


@pytest.mark.django_db
def test_a_named_survey_shows_small_groups_and_names_in_the_export(world: World) -> None:
    survey = make_survey(world.net_a, title="記名の調査")
    single = add_question(survey, "満足度", Kind.SINGLE, ("満足", "不満"))
    world.client(world.alumni_a).post(
        f"/n/{world.net_a.slug}/surveys/{survey.pk}/", {f"q{single.pk}": str(choice_ids(single)[0])}
    )
    csv = world.client(world.operator_a).get(
        f"/n/{world.net_a.slug}/surveys/{survey.pk}/answers.csv"
    )
    assert world.alumni_a.user.name in csv.content.decode("utf-8-sig")
    page = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/surveys/{survey.pk}/results/")
    body = page.content.decode()
    assert '<th scope="row">満足</th><td class="num">1</td><td class="num">100.0%</td>' in body


@pytest.mark.django_db
def test_the_anonymity_cannot_change_once_someone_has_answered(world: World) -> None:
    survey, questions = anonymous_survey(world)
    edit = f"/n/{world.net_a.slug}/surveys/{survey.pk}/edit/"
    operator = world.client(world.operator_a)
    form = operator.get(edit).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {
        "opens_at": survey.opens_at.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": survey.closes_at.strftime("%Y-%m-%dT%H:%M"),
        "results_for_respondents": "",
        "anonymity": "named",
    }
    data.pop("event", None)
    answer(world, world.alumni_a, survey, questions)
    response = operator.post(edit, data)
    assert response.status_code == 400
    assert "匿名性の設定は変更できません" in response.content.decode()
    with scopes_disabled():
        assert Survey.objects.get(pk=survey.pk).anonymity == "anonymous"


@pytest.mark.django_db
def test_an_error_report_of_the_answer_page_hides_the_answers(world: World, monkeypatch) -> None:
    """Django's report of a failed request (mailed to the admins, logged) lists what was
    posted, beside the member who posted it: the answer pages mark every value sensitive."""
    from django.core.signals import got_request_exception
    from django.test import Client
    from django.views.debug import SafeExceptionReporterFilter

    from tsunagu.surveys import actions

    survey, questions = anonymous_survey(world)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(actions, "do_submit_response", broken)
    monkeypatch.setattr(actions, "do_save_draft", broken)
    failed = []

    def keep(sender, request, **kwargs) -> None:
        failed.append(request)

    got_request_exception.connect(keep)
    try:
        client = Client(raise_request_exception=False)
        client.force_login(world.alumni_a.user)
        data = {
            f"q{questions['single'].pk}": str(choice_ids(questions["single"])[0]),
            f"q{questions['long'].pk}": SECRET_ANSWER,
        }
        base = f"/n/{world.net_a.slug}/surveys/{survey.pk}/"
        assert client.post(base, data).status_code == 500
        assert client.post(base + "draft/", data).status_code == 500
    finally:
        got_request_exception.disconnect(keep)
    assert len(failed) == 2
    for request in failed:
        shown = SafeExceptionReporterFilter().get_post_parameters(request)
        assert SECRET_ANSWER not in str(shown)


@pytest.mark.django_db
def test_an_anonymous_survey_is_not_exported_before_five_people_have_answered(
    world: World,
) -> None:
    """A row of the export is one person's answers: under five respondents the results show
    nothing, and the export gives nothing either."""
    survey, questions = anonymous_survey(world)
    members = many_alumni(world, 5)
    for member in members[:4]:
        answer(world, member, survey, questions, text=SECRET_ANSWER)
    operator = world.client(world.operator_a)
    base = f"/n/{world.net_a.slug}/surveys/{survey.pk}/"
    for export in ("answers.csv", "answers.csv?encoding=shift_jis", "answers.xlsx"):
        response = operator.get(base + export, follow=True)
        assert response.redirect_chain == [(base + "results/", 302)], export
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
        assert SECRET_ANSWER not in response.content.decode()
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action="survey.export").exists()
    answer(world, members[4], survey, questions, text=SECRET_ANSWER)
    csv = operator.get(base + "answers.csv")
    assert csv.status_code == 200
    assert csv.content.decode("utf-8-sig").count(SECRET_ANSWER) == 5
    assert operator.get(base + "answers.xlsx").status_code == 200
