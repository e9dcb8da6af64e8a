"""The welcome queue: newcomers of the last two weeks nobody has greeted, welcomed in one click
through the home feed's own welcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.feed.actions import do_toggle_welcome
from tsunagu.feed.models import Welcome
from tsunagu.insights.models import Contribution, ContributionKind
from tsunagu.notify.models import Notification
from tsunagu.tenancy.models import Membership, Network, Status
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def url(world: World) -> str:
    return f"/n/{world.net_a.slug}/supporters/"


def joined(network: Network, name: str, days_ago: float, **extra: object) -> Membership:
    member = make_member(network, make_user(name=name), **extra)
    with scopes_disabled():
        Membership.objects.filter(pk=member.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    return member


def test_the_queue_lists_recent_newcomers_nobody_welcomed_oldest_first(world: World) -> None:
    joined(world.net_a, "新井 一番", 10)
    joined(world.net_a, "新井 二番", 2)
    greeted = joined(world.net_a, "歓迎 済子", 3)
    joined(world.net_a, "古参 太郎", 20)
    joined(world.net_a, "停止 中子", 1, status=Status.SUSPENDED)
    joined(world.net_b, "ひだまり 新人", 1)
    with scope(network=world.net_a):
        do_toggle_welcome(world.alumni_a, greeted)
    page = world.client(world.supporter_a).get(url(world)).content.decode()
    assert "新井 一番" in page and "新井 二番" in page
    assert page.index("新井 一番") < page.index("新井 二番")  # the longest wait first
    for absent in ("歓迎 済子", "古参 太郎", "停止 中子", "ひだまり 新人"):
        assert absent not in page
    assert world.client(world.operator_a).get(url(world)).status_code == 200
    assert world.client(world.alumni_a).get(url(world)).status_code == 403
    assert world.client(world.employee_a).get(url(world)).status_code == 403


def test_one_click_welcomes_through_the_feed_and_the_newcomer_leaves_the_queue(
    world: World,
) -> None:
    newcomer = joined(world.net_a, "新井 さくら", 1)
    client = world.client(world.supporter_a)
    page = client.get(url(world)).content.decode()
    action = f"/n/{world.net_a.slug}/welcome/{newcomer.pk}/"
    assert f'hx-post="{action}"' in page  # the feed's own welcome, not a copy
    response = client.post(action, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "stamp--mine" in response.content.decode()  # the button shows it was given
    assert "新井 さくら" not in client.get(url(world)).content.decode()
    with scopes_disabled():
        assert Welcome.objects.filter(newcomer=newcomer, member=world.supporter_a).exists()
        assert Notification.objects.filter(recipient=newcomer.user, kind="feed_welcome").exists()
        assert Contribution.objects.filter(
            member=world.supporter_a, kind=ContributionKind.WELCOME
        ).exists()


def test_the_queue_does_not_list_the_supporter_themselves(world: World) -> None:
    supporter = joined(world.net_a, "新任 サポーター", 1, role="supporter")
    page = world.client(supporter).get(url(world)).content.decode()
    assert "新任 サポーター" not in page.split("<main", 1)[1].split("</main>")[0]


def test_an_empty_queue_says_so(world: World) -> None:
    with scopes_disabled():
        Membership.objects.filter(network=world.net_a).update(
            created_at=timezone.now() - timedelta(days=30)
        )
    page = world.client(world.supporter_a).get(url(world)).content.decode()
    assert "最近参加した人は全員歓迎されています。" in page


def test_the_queue_costs_the_same_queries_with_ten_times_the_newcomers(
    world: World, django_assert_num_queries: object
) -> None:
    client = world.client(world.supporter_a)
    for number in range(3):
        joined(world.net_a, f"新人 {number}", 1)
    client.get(url(world))
    with django_assert_num_queries(QUERIES_QUEUE):  # type: ignore[operator]
        assert client.get(url(world)).status_code == 200
    for number in range(3, 30):
        joined(world.net_a, f"新人 {number}", 1)
    with django_assert_num_queries(QUERIES_QUEUE):  # type: ignore[operator]
        page = client.get(url(world)).content.decode()
    assert page.count("新人 ") >= 30


QUERIES_QUEUE = 3
