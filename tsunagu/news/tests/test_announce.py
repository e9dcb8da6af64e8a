"""A published article reaches its readers through each one's choice of channels: in the app by
default, by e-mail for those who asked, and never anyone outside the network."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_members, make_user
from tsunagu.news.actions import do_create_article
from tsunagu.notify.actions import do_set_email_preference
from tsunagu.notify.models import Notification, NotificationPreference
from tsunagu.tenancy.models import Status
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db


def publish(world: World, title: str) -> None:
    with scope(network=world.net_a):
        do_create_article(world.operator_a, kind="company_news", title=title, body="本文")


def told() -> set[tuple[int, int]]:
    with scopes_disabled():
        return set(
            Notification.objects.filter(kind="news_published").values_list(
                "network_id", "recipient_id"
            )
        )


def test_an_article_reaches_its_readers_by_their_channels(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    gone = make_member(world.net_a, make_user(name="退会 済み"), status=Status.LEFT)
    both = make_user(name="両方 所属")
    make_member(world.net_a, both)
    make_member(world.net_b, both)
    with scope(network=world.net_a):
        NotificationPreference.objects.create(
            network=world.net_a, user=world.supporter_a.user, kind="news_published", inapp=False
        )
        do_set_email_preference(world.net_a, world.employee_a.user, "news_published", True)
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, f"新制度のお知らせ {CANARY_A}")
    a = world.net_a.pk
    assert told() == {(a, world.employee_a.user_id), (a, world.alumni_a.user_id), (a, both.pk)}
    assert gone.user_id not in {recipient for _, recipient in told()}
    assert [m.to for m in mail.outbox] == [[world.employee_a.user.email]]
    assert "新制度のお知らせ" in mail.outbox[0].subject
    for member in (world.alumni_b, world.operator_b):
        page = world.client(member).get("/n/hidamari-b/notifications/").content.decode()
        assert CANARY_A not in page


def test_an_article_for_many_readers_costs_the_same_queries_as_for_a_few(world: World) -> None:
    publish(world, "準備")
    make_members(world.net_a, 30)
    with CaptureQueriesContext(connection) as few:
        publish(world, "三十人へ")
    make_members(world.net_a, 300)
    with CaptureQueriesContext(connection) as many:
        publish(world, "三百人へ")
    inserts = [q for q in many if q["sql"].startswith('INSERT INTO "notify_notification"')]
    assert len(many) - len(inserts) == len(few) - 1
    readers = 3 + 30 + 300
    assert len(inserts) <= readers // 60 + 1
    with scopes_disabled():
        assert Notification.objects.filter(params__title="三百人へ").count() == readers
