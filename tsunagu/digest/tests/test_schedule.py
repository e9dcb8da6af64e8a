"""When digests go: Celery beat's hourly task reaches every active network through a real worker,
and each member's digest goes from 08:00 of their own day, once per week or month."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.core.testing.mail import task_worker, wait_until
from tsunagu.digest.content import INTERVALS
from tsunagu.digest.models import Frequency
from tsunagu.events.tests.helpers import make_event
from tsunagu.testing.world import World

from .helpers import any_hour, mails_to, run_digests, settled, text_of

__all__ = ["any_hour", "settled"]

PLAN_NETWORK = "tsunagu.digest.tasks.plan_network_digests"
CHUNK = "tsunagu.digest.tasks.send_digest_chunk"


def at(day: date, hour: int, minute: int, zone: str) -> datetime:
    """``hour``:``minute`` on ``day`` in ``zone``."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))


def later_day() -> date:
    """A day to travel to: after every row the world made, so that none is made "later"."""
    return timezone.localdate() + timedelta(days=2)


@pytest.mark.usefixtures("any_hour", "settled")
@pytest.mark.django_db(transaction=True)
def test_beat_sends_the_digests_of_every_active_network_through_a_worker(
    world: World, settings: Any
) -> None:
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["digests"]
    assert entry["schedule"] == 60 * 60  # every hour: someone's 08:00 comes every hour
    closed = make_network(slug="heisa-c", name="閉鎖した会", is_active=False)
    make_member(closed, make_user(email="heisa@example.jp", name="閉鎖 会員"))
    for network, title in (
        (world.net_a, "三ツ葉の交流会"),
        (world.net_b, "ひだまりの芋煮会"),
        (closed, "閉鎖した会の総会"),
    ):
        make_event(network, title=title)

    with task_worker() as worker:
        assert entry["task"] in app.tasks
        app.send_task(entry["task"])  # what beat does with the entry: the task by its name
        wait_until(lambda: worker.ended(CHUNK) >= 2, what="both networks' chunks were sent")
        # The worker takes its tasks in order: had the closed network been planned, its
        # planning would have ended before the chunks that were queued after it.
        assert worker.ended(entry["task"]) == 1
        assert worker.ended(PLAN_NETWORK) == 2

    sent = Counter(m.to[0] for m in mail.outbox)
    members = (
        world.operator_a,
        world.supporter_a,
        world.employee_a,
        world.alumni_a,
        world.operator_b,
        world.supporter_b,
        world.alumni_b,
    )
    assert sent == Counter({m.user.email: 1 for m in members})
    assert "三ツ葉の交流会" in text_of(mails_to(world.alumni_a.user.email)[0])
    assert "ひだまりの芋煮会" in text_of(mails_to(world.alumni_b.user.email)[0])
    assert all("閉鎖した会の総会" not in text_of(m) for m in mail.outbox)


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Europe/London"])
def test_the_digest_goes_from_eight_in_the_members_own_morning(world: World, zone: str) -> None:
    user = world.alumni_a.user
    user.time_zone = zone
    user.save()
    make_event(world.net_a, title="秋の交流会", starts_at=timezone.now() + timedelta(days=90))
    day = later_day()

    with time_machine.travel(at(day, 7, 59, zone), tick=False):
        run_digests(world.net_a)
    assert mails_to(user.email) == []
    with time_machine.travel(at(day, 8, 0, zone), tick=False):
        run_digests(world.net_a)
    [digest] = mails_to(user.email)
    assert "秋の交流会" in text_of(digest)
    with time_machine.travel(at(day, 23, 0, zone), tick=False):
        run_digests(world.net_a)
    assert len(mails_to(user.email)) == 1


@pytest.mark.usefixtures("settled")
def test_at_the_same_hour_a_member_in_london_gets_the_digest_and_one_in_tokyo_waits(
    world: World,
) -> None:
    london, tokyo = world.alumni_a.user, world.employee_a.user
    london.time_zone, tokyo.time_zone = "Europe/London", "Asia/Tokyo"
    london.save()
    tokyo.save()
    make_event(world.net_a, title="秋の交流会", starts_at=timezone.now() + timedelta(days=90))
    evening = at(later_day(), 22, 30, "Europe/London")  # 07:30 the next morning in Tokyo

    with time_machine.travel(evening, tick=False):
        run_digests(world.net_a)
    assert len(mails_to(london.email)) == 1
    assert mails_to(tokyo.email) == []
    with time_machine.travel(evening + timedelta(minutes=30), tick=False):
        run_digests(world.net_a)
    assert len(mails_to(tokyo.email)) == 1


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Europe/London"])
def test_a_monthly_digest_is_due_again_twelve_hours_before_its_month_is_out(
    world: World, zone: str
) -> None:
    """An hourly beat that ran a few minutes late last month must not push this month's
    digest to the next morning: it is due half a day (tasks.SLACK) before its full interval."""
    user = world.alumni_a.user
    user.time_zone = zone
    user.save()
    make_event(world.net_a, title="秋の交流会", starts_at=timezone.now() + timedelta(days=90))
    first = at(later_day(), 8, 5, zone).astimezone(UTC)  # intervals count hours, not the clock
    with time_machine.travel(first, tick=False):
        run_digests(world.net_a)
    assert len(mails_to(user.email)) == 1
    with time_machine.travel(first + timedelta(days=1), tick=False):
        make_event(world.net_a, title="冬の交流会", starts_at=first + timedelta(days=90))

    due_from = first + INTERVALS[Frequency.MONTHLY] - timedelta(hours=12)  # 20:05 on day 29
    with time_machine.travel(due_from - timedelta(minutes=1), tick=False):
        run_digests(world.net_a)
    assert len(mails_to(user.email)) == 1
    with time_machine.travel(due_from, tick=False):
        run_digests(world.net_a)
    first_digest, second = mails_to(user.email)
    assert "冬の交流会" in text_of(second)
    assert "秋の交流会" not in text_of(second)  # in last month's already
    assert "秋の交流会" in text_of(first_digest)
