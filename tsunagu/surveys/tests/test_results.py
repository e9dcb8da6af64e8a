"""What the office sees: counts and shares, charts with tables, the response rate, written
answers, cross-tabs; exports in CSV (UTF-8 with BOM, Shift_JIS) and Excel, formula-safe and
audited; results shown to respondents after closing when the survey says so."""

from __future__ import annotations

import datetime
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from tsunagu.audit.models import AuditEntry
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.profiles.actions import profile_of
from tsunagu.surveys.models import Kind, Survey
from tsunagu.surveys.tasks import send_survey_invitations
from tsunagu.surveys.tests.helpers import add_question, choice_ids, make_survey, satisfaction_survey
from tsunagu.testing.world import World


def post_answer(world: World, member, survey, data) -> None:
    response = world.client(member).post(f"/n/{world.net_a.slug}/surveys/{survey.pk}/", data)
    assert response.status_code == 302, response.content.decode()[-1500:]


def results_url(world: World, survey) -> str:
    return f"/n/{world.net_a.slug}/surveys/{survey.pk}/results/"


@pytest.mark.django_db
def test_counts_shares_chart_response_rate_and_written_answers(world: World) -> None:
    survey, q = satisfaction_survey(world.net_a)
    send_survey_invitations()  # counts the audience when it opens: the 4 members of A
    single = choice_ids(q["single"])
    post_answer(
        world,
        world.alumni_a,
        survey,
        {
            f"q{q['single'].pk}": single[0],
            f"q{q['nps'].pk}": "10",
            f"q{q['long'].pk}": "毎年の総会が楽しみ",
        },
    )
    post_answer(
        world, world.employee_a, survey, {f"q{q['single'].pk}": single[0], f"q{q['nps'].pk}": "6"}
    )
    post_answer(
        world, world.supporter_a, survey, {f"q{q['single'].pk}": single[1], f"q{q['nps'].pk}": "9"}
    )
    body = world.client(world.operator_a).get(results_url(world, survey)).content.decode()
    assert "回答3件" in body and "回答率75.0%（開始時点の対象者4人のうち）" in body
    assert '<th scope="row">満足</th><td class="num">2</td><td class="num">66.7%</td>' in body
    assert '<th scope="row">やや満足</th><td class="num">1</td><td class="num">33.3%</td>' in body
    assert 'src="data:image/svg+xml;base64,' in body and '<details class="chart__data">' in body
    assert "NPS 33.3" in body  # 2 promoters, 1 detractor of 3
    assert "毎年の総会が楽しみ" in body


@pytest.mark.django_db
def test_a_new_answer_shows_on_the_next_view_of_the_cached_results(world: World) -> None:
    survey = make_survey(world.net_a)
    question = add_question(survey, "満足度", Kind.SCALE)
    operator = world.client(world.operator_a)
    post_answer(world, world.alumni_a, survey, {f"q{question.pk}": "5"})
    assert "回答1件" in operator.get(results_url(world, survey)).content.decode()
    post_answer(world, world.employee_a, survey, {f"q{question.pk}": "3"})
    assert "回答2件" in operator.get(results_url(world, survey)).content.decode()


@pytest.mark.django_db
def test_the_results_page_has_a_constant_number_of_queries(world: World) -> None:
    survey, q = satisfaction_survey(world.net_a)
    operator = world.client(world.operator_a)
    operator.get(results_url(world, survey))

    def count() -> int:
        from django.core.cache import cache

        cache.clear()  # cold: the figures are computed again
        operator.force_login(world.operator_a.user)
        with CaptureQueriesContext(connection) as queries:
            assert operator.get(results_url(world, survey)).status_code == 200
        return len(queries)

    post_answer(world, world.alumni_a, survey, {
        f"q{q['single'].pk}": choice_ids(q["single"])[0], f"q{q['multiple'].pk}": "other",
        f"q{q['multiple'].pk}_other": "OB旅行", f"q{q['short'].pk}": "IT",
        f"q{q['long'].pk}": "楽しみ",
        f"q{q['date'].pk}": "2030-06-01",
    })  # fmt: skip
    few = count()
    for n in range(20):
        member = make_member(world.net_a, make_user(name=f"回答者 {n}"))
        post_answer(world, member, survey, {
            f"q{q['single'].pk}": choice_ids(q["single"])[n % 4],
            f"q{q['multiple'].pk}": choice_ids(q["multiple"])[: 1 + n % 3],
            f"q{q['scale'].pk}": str(1 + n % 5), f"q{q['nps'].pk}": str(n % 11),
            f"q{q['short'].pk}": f"業界{n}", f"q{q['long'].pk}": f"意見{n}",
            f"q{q['date'].pk}": f"2030-06-{1 + n % 3:02d}",
        })  # fmt: skip
    assert count() == few
    # Warm: nothing about the figures is asked of the database again.
    with CaptureQueriesContext(connection) as warm:
        operator.get(results_url(world, survey))
    assert len(warm) < few


@pytest.mark.django_db
def test_exports_are_formula_safe_in_both_encodings_and_excel_and_audited(world: World) -> None:
    survey, q = satisfaction_survey(world.net_a, title="記名アンケート")
    formula = '=HYPERLINK("https://evil.example/","クリック")'
    post_answer(world, world.alumni_a, survey, {
        f"q{q['single'].pk}": choice_ids(q["single"])[0], f"q{q['short'].pk}": formula,
        f"q{q['long'].pk}": "髙橋さんにお礼を伝えたい",
    })  # fmt: skip
    operator = world.client(world.operator_a)
    base = f"/n/{world.net_a.slug}/surveys/{survey.pk}/"
    utf8 = operator.get(base + "answers.csv")
    assert utf8["Content-Type"] == "text/csv; charset=utf-8"
    assert utf8.content.startswith("\ufeff".encode())
    text = utf8.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert "アルムナイ活動への満足度は?" in text and "髙橋さん" in text
    sjis = operator.get(base + "answers.csv?encoding=shift_jis")
    assert "charset=shift_jis" in sjis["Content-Type"]
    assert "'=HYPERLINK" in sjis.content.decode("cp932") and "髙橋さん" in sjis.content.decode(
        "cp932"
    )
    xlsx = operator.get(base + "answers.xlsx")
    assert xlsx["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][5] == "アルムナイ活動への満足度は?"
    cell = next(c for c in rows[1] if isinstance(c, str) and "HYPERLINK" in c)
    assert cell.startswith("'=")
    assert book.active.cell(row=2, column=rows[0].index("現在の業界") + 1).data_type == "s"
    with scopes_disabled():
        entries = list(
            AuditEntry.objects.filter(action="survey.export").values_list("detail", flat=True)
        )
    assert [e["format"] for e in entries] == ["xlsx", "csv-shift_jis", "csv-utf-8"]
    assert all(e["count"] == 1 and e["survey"] == survey.pk for e in entries)
    # Members who are not managing the survey get no export.
    assert world.client(world.alumni_a).get(base + "answers.csv").status_code == 403


@pytest.mark.django_db
def test_results_reach_respondents_only_after_closing_and_only_if_the_survey_says_so(
    world: World,
) -> None:
    survey = make_survey(world.net_a, results_for_respondents=True)
    question = add_question(survey, "満足度", Kind.SCALE)
    post_answer(world, world.alumni_a, survey, {f"q{question.pk}": "4"})
    alumni = world.client(world.alumni_a)
    assert alumni.get(results_url(world, survey)).status_code == 403  # still open
    with scopes_disabled():
        Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert alumni.get(results_url(world, survey)).status_code == 200
    # Those who did not answer, and every reader of a survey that keeps its results, see nothing.
    assert world.client(world.employee_a).get(results_url(world, survey)).status_code == 403
    with scopes_disabled():
        Survey.objects.filter(pk=survey.pk).update(results_for_respondents=False)
    assert alumni.get(results_url(world, survey)).status_code == 403
    page = alumni.get(results_url(world, survey))
    assert "クロス集計" not in page.content.decode()


@pytest.mark.django_db
def test_a_named_cross_tab_by_role_and_an_unknown_breakdown_is_a_400(world: World) -> None:
    survey = make_survey(world.net_a)
    question = add_question(survey, "満足度", Kind.SINGLE, ("満足", "不満"))
    yes, no = choice_ids(question)
    post_answer(world, world.alumni_a, survey, {f"q{question.pk}": yes})
    post_answer(world, world.employee_a, survey, {f"q{question.pk}": no})
    operator = world.client(world.operator_a)
    body = operator.get(
        f"/n/{world.net_a.slug}/surveys/{survey.pk}/crosstab/?by=role"
    ).content.decode()
    cells = '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>'
    assert '<th scope="row">アルムナイ</th>' + cells.format(1, 1, 0) in body
    assert '<th scope="row">現役社員</th>' + cells.format(1, 0, 1) in body
    bad = operator.get(f"/n/{world.net_a.slug}/surveys/{survey.pk}/crosstab/?by=user_id")
    assert bad.status_code == 400


@pytest.mark.django_db
def test_running_counts_after_answers_and_changes_equal_a_count_from_scratch(
    world: World,
) -> None:
    """The tallies the results read are moved with every response and every change; counted
    again from the answers, they are the same."""
    from tsunagu.surveys import tally
    from tsunagu.surveys.models import GroupTally, Tally

    survey, q = satisfaction_survey(world.net_a)
    with scopes_disabled():
        tally.rebuild(survey)  # from now on kept up to date
    members = [make_member(world.net_a, make_user(name=f"回答者 {n}")) for n in range(6)]
    with scopes_disabled():
        for n, member in enumerate(members):
            profile = profile_of(member)
            profile.left_on = datetime.date(2019 + n % 3, 3, 31)
            profile.save()
    for round_ in range(2):  # everyone answers, then everyone changes their answers
        for n, member in enumerate(members):
            m = n + round_ * 3
            data = {
                f"q{q['single'].pk}": choice_ids(q["single"])[m % 4],
                f"q{q['multiple'].pk}": [*choice_ids(q["multiple"])[: m % 3], "other"],
                f"q{q['multiple'].pk}_other": f"その他{m}",
                f"q{q['scale'].pk}": str(1 + m % 5),
                f"q{q['date'].pk}": f"2030-07-{1 + m % 2:02d}",
            }
            if m % 2:
                data[f"q{q['long'].pk}"] = f"意見{m}"
            post_answer(world, member, survey, data)

    def snapshot() -> dict:
        with scopes_disabled():
            counts = {
                (t.question_id, t.key): t.count
                for t in Tally.objects.filter(survey=survey, count__gt=0)
            }
            groups = {
                (t.dimension, t.group, t.question_id, t.key): t.count
                for t in GroupTally.objects.filter(survey=survey, count__gt=0)
            }
        return counts | groups

    kept = snapshot()
    with scopes_disabled():
        tally.rebuild(survey)
    assert kept == snapshot()
    assert kept[(q["single"].pk, "n")] == 6 and kept[(q["multiple"].pk, "o")] == 6
    assert kept[("role", "alumni", None, "people")] == 6  # edits do not count people twice
