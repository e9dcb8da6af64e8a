"""A member who turns everything off on the notification settings page is told nothing, by no
channel, and an announcement counts them as skipped; a member who turns off every notification
but keeps the digest still hears of new events and articles through it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_scopes import scope, scopes_disabled

from tsunagu.announce.models import Delivery, DeliveryState
from tsunagu.announce.tests.helpers import make_draft, post_send, reload
from tsunagu.digest import tasks as digest_tasks
from tsunagu.events.tests.test_pages import event_data
from tsunagu.news.actions import do_create_article
from tsunagu.notify.models import inbox
from tsunagu.notify.tests.helpers import inputs
from tsunagu.push.tests.helpers import send_direct_message, subscribe
from tsunagu.push.tests.service import PushService, push_service
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db

URL = "/n/mitsuba-a/notifications/preferences/"


@pytest.fixture
def service(settings: Any) -> Iterator[PushService]:
    settings.TSUNAGU_PUSH_ALLOW_LOCAL = True
    settings.TSUNAGU_PUSH_TIMEOUT = 2
    with push_service() as running:
        yield running


@pytest.fixture
def any_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    """Digests go from 8:00 in the member's day; the tests run at any hour."""
    monkeypatch.setattr(digest_tasks, "SEND_HOUR", 0)


def checkboxes(html: str) -> dict[str, bool]:
    form = html[html.index("data-notify-preferences") :]
    return {
        found["name"]: "checked" in found
        for found in inputs(form)
        if found.get("type") == "checkbox"
    }


def turn_everything_off(client: Client, digest: str) -> None:
    """Every switch and row unticked, as a member would leave the page; the digest as given."""
    html = client.get(URL).content.decode()
    form = html[html.index("data-notify-preferences") :]
    data: dict[str, Any] = {"digest": digest}
    for found in inputs(form):
        if found.get("type") == "hidden" and found.get("name") != "csrfmiddlewaretoken":
            data.setdefault(found["name"], []).append(found.get("value", ""))
    assert client.post(URL, data).status_code == 302


def new_event(world: World, title: str) -> None:
    answer = world.client(world.operator_a).post(
        f"/n/{world.net_a.slug}/events/new/", event_data(title=title)
    )
    assert answer.status_code == 302


def test_a_member_who_turns_everything_off_is_told_nothing_and_counted_as_skipped(
    world: World,
    service: PushService,
    any_hour: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    alumna, employee = world.client(world.alumni_a), world.client(world.employee_a)
    subscribe(alumna, service.endpoint("alumna-phone"))
    subscribe(employee, service.endpoint("employee-phone"))
    turn_everything_off(alumna, "off")

    page = alumna.get(URL).content.decode()
    shown = checkboxes(page)
    assert shown and not any(shown.values())  # every switch and row stays off
    assert '<option value="off" selected>' in page

    with django_capture_on_commit_callbacks(execute=True):
        send_direct_message(world.operator_a, world.alumni_a, "来週の会、来られますか？")
        send_direct_message(world.operator_a, world.employee_a, "来週の会、来られますか？")
        new_event(world, "秋の交流会 2027")
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_draft(world.operator_a, subject="秋の総会のご案内")
        assert post_send(world.client(world.operator_a), world, draft).status_code == 302
    digest_tasks.plan_network_digests(world.net_a.pk)

    to_alumna = [m for m in mail.outbox if m.to == [world.alumni_a.user.email]]
    assert to_alumna == []
    assert service.to("alumna-phone") == []
    with scopes_disabled():
        assert not inbox(world.net_a, world.alumni_a.user_id).exists()
        delivery = Delivery.objects.get(announcement=draft, user=world.alumni_a.user)
    assert delivery.state == DeliveryState.SKIPPED
    assert reload(draft).skipped_count == 1
    listed = alumna.get("/n/mitsuba-a/notifications/").content.decode()
    assert "秋の交流会 2027" not in listed and "秋の総会のご案内" not in listed

    # The employee kept the defaults: the same actions reached them.
    subjects = [m.subject for m in mail.outbox if m.to == [world.employee_a.user.email]]
    assert "秋の総会のご案内" in subjects
    assert len(service.to("employee-phone")) == 1
    assert "秋の交流会 2027" in employee.get("/n/mitsuba-a/notifications/").content.decode()


def test_with_every_notification_off_new_events_and_articles_still_come_in_the_digest(
    world: World, any_hour: None, django_capture_on_commit_callbacks: Any
) -> None:
    alumna = world.client(world.alumni_a)
    turn_everything_off(alumna, "monthly")
    with django_capture_on_commit_callbacks(execute=True):
        new_event(world, "秋の交流会 2027")
        with scope(network=world.net_a):
            do_create_article(
                world.operator_a, kind="company_news", title="社内報 11月号", body="本文"
            )
    with scopes_disabled():
        assert not inbox(world.net_a, world.alumni_a.user_id).exists()
    assert mail.outbox == []

    digest_tasks.plan_network_digests(world.net_a.pk)
    [digest] = [m for m in mail.outbox if m.to == [world.alumni_a.user.email]]
    assert "秋の交流会 2027" in digest.body and "社内報 11月号" in digest.body
