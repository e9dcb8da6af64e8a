"""Each contribution is recorded once, with the role its author held at that moment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from django.apps import apps
from django.core import serializers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from tsunagu.boards import actions as boards
from tsunagu.boards.models import Category, ThreadKind
from tsunagu.boards.tests.helpers import make_category
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events import actions as events
from tsunagu.events.tests.helpers import make_event
from tsunagu.feed.actions import do_toggle_welcome
from tsunagu.insights.actions import do_record_contribution
from tsunagu.insights.models import ActivityDay, Contribution, ContributionKind
from tsunagu.news import actions as news
from tsunagu.news.models import Kind as ArticleKind
from tsunagu.onboarding.actions import do_apply
from tsunagu.profiles.actions import do_post_life_update
from tsunagu.profiles.forms import LifeUpdateForm
from tsunagu.surveys.actions import Given, do_submit_response
from tsunagu.surveys.models import Anonymity
from tsunagu.surveys.models import Kind as QuestionKind
from tsunagu.surveys.tests.helpers import add_question, make_survey
from tsunagu.talk import actions as talk
from tsunagu.talk.tests.helpers import make_room, post
from tsunagu.tenancy.actions import do_change_role
from tsunagu.tenancy.models import Membership, Role
from tsunagu.testing.world import World

from .helpers import contributions_of, days_of, tokyo

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings: pytest.FixtureRequest) -> None:
    settings.TALK_RATE_MESSAGES = 10_000  # type: ignore[attr-defined]


def a_thread(world: World, member: Membership) -> None:
    with scopes_disabled():
        category = Category.objects.filter(network=world.net_a).first()
    category = category or make_category(world.net_a)
    boards.do_create_thread(
        member, category=category, kind=ThreadKind.DISCUSSION, title="近況", body="元気です"
    )


def a_comment(world: World, member: Membership) -> None:
    from tsunagu.boards.tests.helpers import make_thread

    with scopes_disabled():
        thread = make_thread(world.operator_a)
    boards.do_add_comment(member, thread, body="参加します")


def a_board_stamp(world: World, member: Membership) -> None:
    from tsunagu.boards.tests.helpers import make_thread

    with scopes_disabled():
        thread = make_thread(world.operator_a)
    boards.do_toggle_reaction(member, thread, None, "like")


def an_article(world: World, member: Membership) -> None:
    news.do_create_article(member, kind=ArticleKind.COLUMN, title="転職記", body="書きました")


def a_news_comment(world: World, member: Membership) -> None:
    article = news.do_create_article(
        world.operator_a, kind=ArticleKind.COMPANY_NEWS, title="社内報", body="新製品です"
    )
    news.do_add_comment(member, article, body="おめでとうございます")


def a_news_stamp(world: World, member: Membership) -> None:
    article = news.do_create_article(
        world.operator_a, kind=ArticleKind.COMPANY_NEWS, title="社内報", body="新製品です"
    )
    news.do_toggle_reaction(member, article, "clap")


def a_life_update(world: World, member: Membership) -> None:
    form = LifeUpdateForm(data={"body": "転職しました"})
    assert form.is_valid()
    do_post_life_update(member, form)


def a_welcome(world: World, member: Membership) -> None:
    do_toggle_welcome(member, make_member(world.net_a, name="新人 さん"))


def a_room_message(world: World, member: Membership) -> None:
    post(member, make_room(world.operator_a, name="雑談"), "おはようございます")


def a_room_stamp(world: World, member: Membership) -> None:
    message = post(world.operator_a, make_room(world.operator_a, name="雑談"), "おはよう")
    talk.do_join_room(member, message.room)
    talk.do_toggle_reaction(member, message, "like")


def an_rsvp(world: World, member: Membership) -> None:
    events.do_register(member, make_event(world.net_a))


def an_attendance(world: World, member: Membership) -> None:
    event = make_event(world.net_a)
    registration = events.do_register(member, event)
    events.do_update_registration(world.operator_a, event, registration, "attended")


def a_survey_answer(world: World, member: Membership, anonymity: str = Anonymity.NAMED) -> None:
    survey = make_survey(world.net_a, anonymity=anonymity)
    question = add_question(survey, "満足度は?", QuestionKind.SCALE)
    first = do_submit_response(member, survey, {question.pk: Given(number=4)})
    # Changed before it closes (an anonymous answer with its edit token): still one answer.
    tokens = (first.edit_token,) if first.edit_token else ()
    do_submit_response(member, survey, {question.pk: Given(number=5)}, edit_tokens=tokens)


ACTS: dict[str, tuple[Callable[[World, Membership], None], list[tuple[str, str]]]] = {
    "thread": (a_thread, [("thread", "boards.thread")]),
    "comment": (a_comment, [("comment", "boards.comment")]),
    "board stamp": (a_board_stamp, [("stamp", "boards.reaction")]),
    "article": (an_article, [("article", "news.article")]),
    "news comment": (a_news_comment, [("comment", "news.comment")]),
    "news stamp": (a_news_stamp, [("stamp", "news.reaction")]),
    "life update": (a_life_update, [("life_update", "profiles.lifeupdate")]),
    "welcome": (a_welcome, [("welcome", "feed.welcome")]),
    "room message": (a_room_message, [("message", "talk.message")]),
    "room stamp": (a_room_stamp, [("stamp", "talk.reaction")]),
    "rsvp": (an_rsvp, [("rsvp", "events.registration")]),
    "attendance": (
        an_attendance,
        [("rsvp", "events.registration"), ("attendance", "events.registration")],
    ),
    "named survey answer": (a_survey_answer, [("survey_answer", "surveys.participation")]),
}


@pytest.mark.parametrize("act", ACTS)
def test_each_contribution_keeps_the_role_of_its_moment_after_a_promotion(
    world: World, act: str
) -> None:
    perform, expected = ACTS[act]
    member = world.alumni_a
    with time_machine.travel(tokyo(2026, 3, 2, 0, 30), tick=False), scope(network=world.net_a):
        perform(world, member)
    assert contributions_of(member) == [(kind, source, Role.ALUMNI) for kind, source in expected]
    with scopes_disabled():
        assert set(Contribution.objects.filter(member=member).values_list("day", flat=True)) == {
            DAY
        }

    with scope(network=world.net_a):
        do_change_role(world.operator_a, member, Role.SUPPORTER)
        a_thread(world, member)
    recorded = contributions_of(member)
    assert recorded[: len(expected)] == [(k, s, Role.ALUMNI) for k, s in expected]
    assert recorded[-1] == ("thread", "boards.thread", Role.SUPPORTER)


@pytest.mark.parametrize(
    ("act", "posted"),
    [
        ("thread", True),
        ("room message", True),
        ("life update", True),
        ("board stamp", False),
        ("named survey answer", False),
    ],
)
def test_a_contribution_marks_the_day_and_only_posts_mark_it_posted(
    world: World, act: str, posted: bool
) -> None:
    with time_machine.travel(tokyo(2026, 3, 2, 12, 0), tick=False), scope(network=world.net_a):
        ACTS[act][0](world, world.alumni_a)
    assert days_of(world.alumni_a) == [(DAY, False, posted)]


def test_an_application_is_recorded_with_the_applicants_pending_membership(world: World) -> None:
    applicant = make_user(name="応募 太郎")
    with time_machine.travel(tokyo(2026, 3, 2, 12, 0), tick=False), scope(network=world.net_a):
        do_apply(applicant, world.net_a, answers=[], declared=True)
    with scopes_disabled():
        member = Membership.objects.get(network=world.net_a, user=applicant)
        row = Contribution.objects.get(kind="application")
    assert (row.member_id, row.role, row.day) == (member.pk, Role.ALUMNI, DAY)
    assert days_of(member) == []  # not a member's day: they cannot come in yet


def test_attendance_marked_reset_and_marked_again_is_one_attendance(world: World) -> None:
    event = make_event(world.net_a)
    with scope(network=world.net_a):
        registration = events.do_register(world.alumni_a, event)
        for action in ("attended", "reset", "attended"):
            events.do_update_registration(world.operator_a, event, registration, action)
    kinds = [kind for kind, _source, _role in contributions_of(world.alumni_a)]
    assert kinds == ["rsvp", "attendance"]


def test_attendance_counts_on_the_day_of_the_event_and_not_for_the_organiser(
    world: World,
) -> None:
    with time_machine.travel(tokyo(2026, 3, 2, 12, 0), tick=False):
        event = make_event(world.net_a, starts_at=tokyo(2026, 3, 5, 19, 0))
        with scope(network=world.net_a):
            registration = events.do_register(world.alumni_a, event)
    with time_machine.travel(tokyo(2026, 3, 9, 10, 0), tick=False), scope(network=world.net_a):
        events.do_update_registration(world.operator_a, event, registration, "attended")
    with scopes_disabled():
        attendance = Contribution.objects.get(kind="attendance")
    assert (attendance.member_id, attendance.day) == (world.alumni_a.pk, date(2026, 3, 5))
    assert days_of(world.operator_a) == []  # marking others present is not the operator's post


PRIVATE_BODY = "内緒の転職相談 7c1d"


@pytest.mark.parametrize("conversation", ["direct", "group", "office"])
def test_a_private_message_leaves_only_a_posted_day_and_no_trace_of_it(
    world: World, conversation: str
) -> None:
    sender = world.alumni_a
    with time_machine.travel(tokyo(2026, 3, 2, 21, 0), tick=False), scope(network=world.net_a):
        if conversation == "direct":
            room = talk.do_open_direct(sender, world.employee_a)
        elif conversation == "group":
            room = talk.do_create_group(sender, name="同期会", invitees=[world.employee_a])
        else:
            room = talk.do_open_office(sender)
        message = post(sender, room, PRIVATE_BODY)
        # Someone in the conversation stamps it: the office answers for its own.
        stamper = world.operator_a if conversation == "office" else world.employee_a
        talk.do_toggle_reaction(stamper, message, "like")

    assert days_of(sender) == [(DAY, False, True)]
    assert days_of(stamper) == [(DAY, False, False)]  # the stamp: a day, nothing more
    with scopes_disabled():
        assert not Contribution.objects.exists()
        stored = serializers.serialize(
            "json", [*ActivityDay.objects.all(), *Contribution.objects.all()]
        )
    for trace in (PRIVATE_BODY, f'"object_id": {message.pk}', "talk."):
        assert trace not in stored


def test_a_stamp_taken_back_stays_in_the_record(world: World) -> None:
    with scope(network=world.net_a):
        a_board_stamp(world, world.alumni_a)
        with scopes_disabled():
            from tsunagu.boards.models import Thread

            thread = Thread.objects.get()
        boards.do_toggle_reaction(world.alumni_a, thread, None, "like")  # taken back
    kinds = [kind for kind, _source, _role in contributions_of(world.alumni_a)]
    assert kinds == ["stamp"]


def insights_rows() -> str:
    """Every row of every insights table, as stored."""
    with scopes_disabled():
        models = apps.get_app_config("insights").get_models()
        return serializers.serialize(
            "json", [row for model in models for row in model._base_manager.order_by("pk")]
        )


def test_an_anonymous_answer_leaves_no_trace_of_the_member_in_the_record(world: World) -> None:
    """Not a contribution, and not even an active day: either would say when the member
    answered, and the answer's rows lie beside that moment."""
    member = world.alumni_a
    before = insights_rows()
    with time_machine.travel(tokyo(2026, 3, 2, 21, 0), tick=False), scope(network=world.net_a):
        a_survey_answer(world, member, Anonymity.ANONYMOUS)

    assert insights_rows() == before
    assert contributions_of(member) == [] and days_of(member) == []


@pytest.mark.parametrize("kind", ContributionKind.values)
def test_the_same_act_recorded_twice_is_one_contribution(world: World, kind: str) -> None:
    """A signal sent twice records the act once, whatever its kind, and costs no extra query:
    the insert itself skips what the record already holds."""

    def record(hour: int) -> None:
        do_record_contribution(
            network_id=world.net_a.pk,
            member_id=world.alumni_a.pk,
            role=Role.ALUMNI,
            kind=kind,
            source="boards.thread",
            object_id=7,
            at=tokyo(2026, 3, 2, hour, 0),
        )

    record(9)
    with CaptureQueriesContext(connection) as again:
        record(10)

    with scopes_disabled():
        rows = list(Contribution.objects.values_list("kind", "created_at"))
    assert rows == [(kind, tokyo(2026, 3, 2, 9, 0))]
    on_the_record = [q["sql"] for q in again if "insights_contribution" in q["sql"]]
    assert len(on_the_record) == 1 and on_the_record[0].lstrip().upper().startswith("INSERT")
