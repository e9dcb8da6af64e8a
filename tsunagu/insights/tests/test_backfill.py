"""The backfill derives what older rows honestly tell, and adds nothing when run again."""

from __future__ import annotations

import importlib
import re
from datetime import date
from io import StringIO
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django_scopes import scope, scopes_disabled

from tsunagu.boards import actions as boards
from tsunagu.boards.tests.helpers import make_thread
from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.events import actions as events
from tsunagu.events.tests.helpers import make_event
from tsunagu.feed.actions import do_toggle_welcome
from tsunagu.insights import signals
from tsunagu.insights.models import ActivityDay, Contribution, RecordingStart
from tsunagu.onboarding.actions import do_apply
from tsunagu.surveys.actions import Given, do_submit_response
from tsunagu.surveys.models import Anonymity
from tsunagu.surveys.models import Kind as QuestionKind
from tsunagu.surveys.tests.helpers import add_question, make_survey
from tsunagu.talk import actions as talk
from tsunagu.talk.tests.helpers import make_room, post
from tsunagu.tenancy.actions import do_change_role, do_note_seen
from tsunagu.tenancy.models import Membership, Network, Role
from tsunagu.testing.world import World

from .helpers import tokyo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings: pytest.FixtureRequest) -> None:
    settings.TALK_RATE_MESSAGES = 10_000  # type: ignore[attr-defined]


def d(day: int) -> date:
    return date(2026, 1, day)


def build_the_past(world: World) -> Membership:
    """A month of network A as it was before insights existed; returns the applicant."""
    a = world.net_a
    signals.disconnect()
    try:
        with scope(network=a):
            with time_machine.travel(tokyo(2026, 1, 10, 10, 0), tick=False):
                thread = make_thread(world.alumni_a)
            with time_machine.travel(tokyo(2026, 1, 10, 23, 30), tick=False):
                boards.do_add_comment(world.supporter_a, thread, body="いいですね")
            # 15:30 UTC on 10 January, 00:30 on the 11th in Tokyo.
            with time_machine.travel(tokyo(2026, 1, 11, 0, 30), tick=False):
                post(world.alumni_a, talk.do_open_direct(world.alumni_a, world.employee_a), "内緒")
            with time_machine.travel(tokyo(2026, 1, 12, 9, 0), tick=False):
                post(world.employee_a, make_room(world.operator_a, name="雑談"), "おはよう")
                boards.do_toggle_reaction(world.alumni_a, thread, None, "like")
            with time_machine.travel(tokyo(2026, 1, 13, 9, 0), tick=False):
                do_toggle_welcome(world.supporter_a, make_member(a, name="新人 さん"))
            with time_machine.travel(tokyo(2026, 1, 14, 9, 0), tick=False):
                event = make_event(a, starts_at=tokyo(2026, 1, 20, 19, 0))
                registration = events.do_register(world.alumni_a, event)
            with time_machine.travel(tokyo(2026, 1, 15, 9, 0), tick=False):
                applicant = make_user(name="応募 太郎")
                do_apply(applicant, a, answers=[], declared=True)
            with time_machine.travel(tokyo(2026, 1, 21, 9, 0), tick=False):
                events.do_update_registration(world.operator_a, event, registration, "attended")
            with time_machine.travel(tokyo(2026, 1, 17, 9, 0), tick=False):
                answer(world, world.alumni_a, Anonymity.NAMED)
            with time_machine.travel(tokyo(2026, 1, 18, 9, 0), tick=False):
                answer(world, world.employee_a, Anonymity.ANONYMOUS)  # leaves nothing
            gone = make_member(a, name="退会 済")
            make_thread(gone, title="もう誰のものでもない投稿")
        with scopes_disabled():
            Membership.objects.filter(pk=gone.pk).delete()
            Membership.objects.filter(pk=world.operator_a.pk).update(
                last_seen_at=tokyo(2026, 1, 16, 8, 0)
            )
            assert not ActivityDay.objects.exists() and not Contribution.objects.exists()
    finally:
        signals.connect()
    with scopes_disabled():
        return Membership.objects.get(network=a, user=applicant)


def answer(world: World, member: Membership, anonymity: str) -> None:
    survey = make_survey(world.net_a, anonymity=anonymity)
    question = add_question(survey, "満足度は?", QuestionKind.SCALE)
    do_submit_response(member, survey, {question.pk: Given(number=4)})


def backfill() -> str:
    out = StringIO()
    call_command("backfill_activity", stdout=out)
    return out.getvalue()


def contributions() -> set[tuple[str, str, int | None, str, date, bool]]:
    with scopes_disabled():
        rows = Contribution.objects.values_list(
            "kind", "source", "member_id", "role", "day", "backfilled"
        )
        return set(rows)


def days() -> set[tuple[int | None, date, str, bool, bool, bool]]:
    with scopes_disabled():
        rows = ActivityDay.objects.values_list(
            "member_id", "day", "role", "visited", "posted", "backfilled"
        )
        return set(rows)


def test_the_backfill_derives_contributions_and_days_with_todays_role(world: World) -> None:
    applicant = build_the_past(world)
    alumni, supporter, employee = world.alumni_a, world.supporter_a, world.employee_a
    with time_machine.travel(tokyo(2026, 1, 10, 12, 0), tick=False):
        do_note_seen(alumni.pk)  # a day recorded live, before the backfill runs
    with scope(network=world.net_a):
        do_change_role(world.operator_a, alumni, Role.SUPPORTER)  # after the fact

    output = backfill()

    S, A, E = Role.SUPPORTER, Role.ALUMNI, Role.EMPLOYEE
    assert contributions() == {
        ("thread", "boards.thread", alumni.pk, S, d(10), True),
        ("comment", "boards.comment", supporter.pk, S, d(10), True),
        ("message", "talk.message", employee.pk, E, d(12), True),
        ("stamp", "boards.reaction", alumni.pk, S, d(12), True),
        ("welcome", "feed.welcome", supporter.pk, S, d(13), True),
        ("rsvp", "events.registration", alumni.pk, S, d(14), True),
        ("application", "onboarding.application", applicant.pk, A, d(15), True),
        ("attendance", "events.registration", alumni.pk, S, d(20), True),
        ("survey_answer", "surveys.participation", alumni.pk, S, d(17), True),
    }
    assert days() == {
        (alumni.pk, d(10), A, True, True, False),  # the live row gains its post, stays live
        (alumni.pk, d(11), S, False, True, True),  # the direct message: a posted day, no row
        (alumni.pk, d(12), S, False, False, True),  # a stamp
        (alumni.pk, d(14), S, False, False, True),  # a registration
        (alumni.pk, d(17), S, False, False, True),  # the answer to the named survey
        (supporter.pk, d(10), S, False, True, True),
        (supporter.pk, d(13), S, False, False, True),
        (employee.pk, d(12), E, False, True, True),
        (world.operator_a.pk, d(16), Role.OPERATOR, True, False, True),  # its last visit only
    }
    assert "mitsuba-a: 9 contributions, 8 days added, 1 rows without a member skipped" in output


def test_running_the_backfill_again_adds_nothing(world: World) -> None:
    build_the_past(world)
    backfill()
    first = (contributions(), days())

    output = backfill()

    assert (contributions(), days()) == first
    assert "mitsuba-a: 0 contributions, 0 days added" in output


def test_the_backfill_leaves_what_was_recorded_live_alone(world: World) -> None:
    with time_machine.travel(tokyo(2026, 2, 1, 9, 0), tick=False):
        make_thread(world.alumni_a)
    live = contributions()

    backfill()

    assert contributions() == live
    assert {backfilled for *_rest, backfilled in live} == {False}


def test_the_backfill_says_which_figures_start_with_the_recording(world: World) -> None:
    with scope(network=world.net_a):
        RecordingStart.objects.create(network=world.net_a, day=d(22))

    output = backfill()

    since = r"^mitsuba-a: .*\n  recorded as it happens since 2026-01-22$"
    assert re.search(since, output, re.MULTILINE)
    assert output.count("recorded as it happens since") == 1  # network B is younger
    assert "These start only on the day recording began" in output
    assert "visits: members who only read are missing" in output


def test_networks_older_than_the_recording_are_marked_with_its_first_day(world: World) -> None:
    """What the migration that adds the mark writes: networks made before the recording was
    installed (its first migration) start recording on that day; younger ones never lacked it."""
    migration = importlib.import_module("tsunagu.insights.migrations.0010_recording_start")
    installed = tokyo(2026, 1, 5, 23, 30)
    MigrationRecorder(connection).migration_qs.filter(app="insights", name="0001_initial").update(
        applied=installed
    )
    with scopes_disabled():
        Network.objects.filter(pk__in=[world.net_a.pk, world.net_b.pk]).update(
            created_at=tokyo(2025, 4, 1, 9, 0)
        )
    with time_machine.travel(tokyo(2026, 1, 6, 9, 0), tick=False):
        younger = make_network(slug="wakaba", name="わかば会")
    assert younger.created_at > installed

    with scopes_disabled():
        migration.mark_older_networks(django_apps, SimpleNamespace(connection=connection))
        marks = dict(RecordingStart.objects.values_list("network__slug", "day"))
    assert marks == {"mitsuba-a": d(5), "hidamari-b": d(5)}
