"""The office writes surveys: settings, questions and sections, publishing, copying; supporters
only where the network allows it; questions that have answers keep their type and history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.audit.models import AuditEntry
from tsunagu.surveys.models import Choice, Kind, Question, Section, Survey, Wording
from tsunagu.surveys.tests.helpers import choice_ids, make_survey, satisfaction_survey
from tsunagu.testing.world import World


def base(world: World) -> str:
    return f"/n/{world.net_a.slug}/surveys/"


def survey_data(**overrides: str) -> dict[str, str]:
    now = timezone.localtime()
    data = {
        "title": "2025年度 アルムナイ満足度調査",
        "description": "今後の企画の参考にさせてください。",
        "anonymity": "anonymous",
        "audience": "segment",
        "left_from": "2019",
        "left_to": "2024",
        "department": "",
        "opens_at": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
    }
    return data | overrides


@pytest.mark.django_db
def test_the_office_creates_a_survey_with_a_section_and_questions_then_publishes_it(
    world: World,
) -> None:
    client = world.client(world.operator_a)
    assert client.get(base(world) + "new/").status_code == 200
    response = client.post(base(world) + "new/", survey_data())
    assert response.status_code == 302
    with scopes_disabled():
        survey = Survey.objects.get()
    assert (survey.left_from, survey.left_to, survey.anonymity) == (2019, 2024, "anonymous")
    questions = f"{base(world)}{survey.pk}/questions/"
    assert response["Location"] == questions
    client.post(f"{base(world)}{survey.pk}/sections/", {"section-title": "イベントについて"})
    with scopes_disabled():
        section = Section.objects.get()
    response = client.post(
        questions,
        {
            "new-text": "参加したい企画は?",
            "new-kind": "multiple",
            "new-choices": "交流会\n勉強会\n\n社内見学\n",
            "new-allow_other": "on",
            "new-required": "on",
            "new-section": str(section.pk),
            "new-help_text": "いくつでも選べます",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        question = Question.objects.get()
        assert [c.label for c in question.choices.all()] == ["交流会", "勉強会", "社内見学"]
    assert question.allow_other and question.required and question.section_id == section.pk
    # A choice question needs two options at least: a field error, not a 500.
    bad = client.post(questions, {"new-text": "一択", "new-kind": "single", "new-choices": "はい"})
    assert bad.status_code == 400 and "2つ以上" in bad.content.decode()
    response = client.post(f"{base(world)}{survey.pk}/publish/", follow=True)
    assert "公開しました" in response.content.decode()
    with scopes_disabled():
        assert Survey.objects.get().published


@pytest.mark.django_db
def test_closing_before_opening_and_a_missing_event_are_field_errors(world: World) -> None:
    client = world.client(world.operator_a)
    now = timezone.localtime()
    response = client.post(
        base(world) + "new/",
        survey_data(
            opens_at=now.strftime("%Y-%m-%dT%H:%M"),
            closes_at=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 200 and "締め切りは開始より後" in response.content.decode()
    response = client.post(base(world) + "new/", survey_data(audience="event"))
    assert "対象とするイベントを選んでください" in response.content.decode()
    with scopes_disabled():
        assert not Survey.objects.exists()


@pytest.mark.django_db
def test_a_question_with_answers_keeps_its_type_and_options_and_its_earlier_wording(
    world: World,
) -> None:
    survey, questions = satisfaction_survey(world.net_a)
    single = questions["single"]
    world.client(world.alumni_a).post(
        f"{base(world)}{survey.pk}/", {f"q{single.pk}": str(choice_ids(single)[0])}
    )
    client = world.client(world.operator_a)
    edit = f"{base(world)}{survey.pk}/questions/{single.pk}/"
    keep = {"text": single.text, "kind": "single", "choices": "満足\nやや満足\nやや不満\n不満"}
    changed_type = client.post(edit, keep | {"kind": "long"})
    assert (
        changed_type.status_code == 400 and "種類は変更できません" in changed_type.content.decode()
    )
    removed = client.post(edit, keep | {"choices": "満足\nやや満足"})
    assert "削除はできません" in removed.content.decode()
    delete = client.post(f"{edit}delete/", follow=True)
    assert "削除できません" in delete.content.decode()
    reworded = client.post(edit, keep | {"text": "アルムナイ活動にどのくらい満足していますか?"})
    assert reworded.status_code == 302
    with scopes_disabled():
        question = Question.objects.get(pk=single.pk)
        assert question.kind == "single" and question.version == 2
        assert list(Wording.objects.values_list("version", "text")) == [
            (1, "アルムナイ活動への満足度は?")
        ]
        assert Choice.objects.filter(question=question).count() == 4
    results = client.get(f"{base(world)}{survey.pk}/results/").content.decode()
    assert "以前の文言" in results and "アルムナイ活動への満足度は?" in results
    # Renamed options are a new wording too: the results name those the first answers chose from.
    renamed = keep | {
        "text": "アルムナイ活動にどのくらい満足していますか?",
        "choices": "満足\nやや満足\nどちらとも言えない\n不満",
    }
    assert client.post(edit, renamed).status_code == 302
    with scopes_disabled():
        assert Question.objects.get(pk=single.pk).version == 3
        assert list(Wording.objects.values_list("version", "choices")) == [
            (1, []),
            (2, ["満足", "やや満足", "やや不満", "不満"]),
        ]
    results = client.get(f"{base(world)}{survey.pk}/results/").content.decode()
    assert "満足 / やや満足 / やや不満 / 不満" in results
    assert '<th scope="row">どちらとも言えない</th>' in results
    # A question nobody answered can still be deleted.
    unanswered = questions["date"]
    client.post(f"{base(world)}{survey.pk}/questions/{unanswered.pk}/delete/")
    with scopes_disabled():
        assert not Question.objects.filter(pk=unanswered.pk).exists()


@pytest.mark.django_db
def test_a_survey_is_copied_with_its_sections_questions_and_options(world: World) -> None:
    source, questions = satisfaction_survey(world.net_a, title="2024年度 満足度調査")
    with scopes_disabled():
        section = Section.objects.create(network=world.net_a, survey=source, title="基本情報")
        Question.objects.filter(pk=questions["short"].pk).update(section=section)
    response = world.client(world.operator_a).post(base(world) + "copy/", {"source": source.pk})
    assert response.status_code == 302
    with scopes_disabled():
        copy = Survey.objects.exclude(pk=source.pk).get()
        assert copy.title == "2024年度 満足度調査（コピー）" and not copy.published
        assert copy.copied_from_id == source.pk
        texts = list(Question.objects.filter(survey=copy).values_list("text", flat=True))
        assert texts == [q.text for q in questions.values()]
        copied = Question.objects.get(survey=copy, kind=Kind.SHORT)
        assert copied.section.title == "基本情報" and copied.section.survey_id == copy.pk
        assert Choice.objects.filter(question__survey=copy).count() == 7
    # Another network's survey cannot be copied.
    other = make_survey(world.net_b, title="ひだまりの調査")
    refused = world.client(world.operator_a).post(base(world) + "copy/", {"source": other.pk})
    assert refused.status_code == 302
    with scopes_disabled():
        assert not Survey.objects.filter(network=world.net_a, copied_from=other).exists()


@pytest.mark.django_db
def test_supporters_create_surveys_only_where_the_network_allows_it(world: World) -> None:
    supporter = world.client(world.supporter_a)
    assert supporter.get(base(world) + "new/").status_code == 403
    assert supporter.post(base(world) + "new/", survey_data()).status_code == 403
    world.net_a.supporters_may_create_surveys = True
    world.net_a.save()
    assert supporter.post(base(world) + "new/", survey_data()).status_code == 302
    with scopes_disabled():
        mine = Survey.objects.get()
    # They manage their own survey, not the office's; alumni never.
    office = make_survey(world.net_a, title="事務局の調査", published=False)
    assert supporter.get(f"{base(world)}{mine.pk}/questions/").status_code == 200
    assert supporter.get(f"{base(world)}{office.pk}/questions/").status_code in (403, 404)
    assert world.client(world.alumni_a).get(base(world) + "new/").status_code == 403
    # The setting is on the network's settings page.
    settings_page = world.client(world.operator_a).get(f"/n/{world.net_a.slug}/manage/")
    assert "サポーターもアンケートを作成できる" in settings_page.content.decode()


@pytest.mark.django_db
def test_members_see_published_surveys_for_them_and_never_drafts(world: World) -> None:
    make_survey(world.net_a, title="公開中の調査")
    make_survey(world.net_a, title="下書きの調査", published=False)
    body = world.client(world.alumni_a).get(base(world)).content.decode()
    assert "公開中の調査" in body and "下書きの調査" not in body
    office = world.client(world.operator_a).get(base(world)).content.decode()
    assert "下書きの調査" in office


@pytest.mark.django_db
def test_the_survey_list_has_a_constant_number_of_queries(
    world: World, django_assert_num_queries
) -> None:
    client = world.client(world.alumni_a)
    make_survey(world.net_a, title="調査 0")
    client.get(base(world))  # warms the session and membership caches

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(base(world)).status_code == 200
        return len(queries)

    few = count()
    for n in range(1, 30):
        make_survey(world.net_a, title=f"調査 {n}", anonymity="anonymous" if n % 2 else "named")
    assert count() == few
    with django_assert_num_queries(few):
        client.get(base(world))


@pytest.mark.django_db
def test_opening_and_closing_times_are_in_the_networks_zone_whatever_the_readers_zone(
    world: World,
) -> None:
    """An operator who reads the site in London time still writes 9:00 Japan time."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from tsunagu.accounts.middleware import TIME_ZONE_COOKIE

    client = world.client(world.operator_a)
    client.cookies[TIME_ZONE_COOKIE] = "Europe/London"
    response = client.post(
        base(world) + "new/",
        survey_data(opens_at="2030-05-01T09:00", closes_at="2030-05-15T18:00"),
    )
    assert response.status_code == 302
    with scopes_disabled():
        survey = Survey.objects.get()
    tokyo = ZoneInfo("Asia/Tokyo")
    assert survey.opens_at == dt.datetime(2030, 5, 1, 9, 0, tzinfo=tokyo)
    assert survey.closes_at == dt.datetime(2030, 5, 15, 18, 0, tzinfo=tokyo)
    form = client.get(f"{base(world)}{survey.pk}/edit/").content.decode()
    assert 'value="2030-05-01T09:00"' in form


@pytest.mark.django_db
def test_the_results_show_times_in_each_readers_own_time_zone(world: World) -> None:
    survey, questions = satisfaction_survey(world.net_a)
    single = questions["single"]
    with scopes_disabled():
        Wording.objects.create(
            network=world.net_a,
            question=single,
            version=1,
            text="以前の設問",
            replaced_at=datetime(2026, 5, 1, 3, 0, tzinfo=UTC),  # 12:00 in Tokyo
        )
    url = f"{base(world)}{survey.pk}/results/"
    tokyo = world.client(world.operator_a)
    tokyo.cookies["tsunagu_tz"] = "Asia/Tokyo"
    new_york = world.client(world.operator_a)
    new_york.cookies["tsunagu_tz"] = "America/New_York"

    assert "2026年5月1日(金) 12:00" in tokyo.get(url).content.decode()
    # The same results, cached after the first view, with the time where this reader lives.
    seen_in_new_york = new_york.get(url).content.decode()
    assert "2026年4月30日(木) 23:00" in seen_in_new_york
    assert "2026年5月1日(金) 12:00" not in seen_in_new_york


@pytest.mark.django_db
def test_members_who_do_not_manage_a_survey_reach_none_of_its_office_pages(world: World) -> None:
    survey, questions = satisfaction_survey(world.net_a, title="事務局の調査")
    question = questions["single"]
    url = f"{base(world)}{survey.pk}/"
    office_pages = (
        "edit/", "questions/", "sections/", f"questions/{question.pk}/",
        f"questions/{question.pk}/delete/", "publish/", "close/", "results/", "crosstab/",
        "answers.csv", "answers.xlsx",
    )  # fmt: skip
    with scopes_disabled():
        before = list(Survey.objects.values_list("title", "closes_at", "published"))
    for member in (world.alumni_a, world.employee_a, world.supporter_a):
        client = world.client(member)
        assert client.get(url).status_code == 200  # they are asked: the survey itself is open
        for page in office_pages:
            for method in ("get", "post"):
                response = getattr(client, method)(url + page, {"title": "書き換え"})
                assert response.status_code in (403, 404, 405), (member.role, method, page)
    with scopes_disabled():
        assert list(Survey.objects.values_list("title", "closes_at", "published")) == before
        assert Question.objects.filter(survey=survey).count() == len(questions)
        assert not AuditEntry.objects.filter(action="survey.export").exists()


@pytest.mark.django_db
def test_questions_are_asked_in_the_order_the_office_gives_them(world: World) -> None:
    from tsunagu.surveys.tests.helpers import add_question

    survey = make_survey(world.net_a)
    first = add_question(survey, "最初に置いた質問", Kind.SHORT)
    add_question(survey, "後から足した質問", Kind.SHORT)
    answer_page = f"{base(world)}{survey.pk}/"
    page = world.client(world.alumni_a).get(answer_page).content.decode()
    assert page.index("最初に置いた質問") < page.index("後から足した質問")
    moved = world.client(world.operator_a).post(
        f"{base(world)}{survey.pk}/questions/{first.pk}/",
        {"text": "最初に置いた質問", "kind": "short", "position": "3"},
    )
    assert moved.status_code == 302
    page = world.client(world.alumni_a).get(answer_page).content.decode()
    assert page.index("後から足した質問") < page.index("最初に置いた質問")
