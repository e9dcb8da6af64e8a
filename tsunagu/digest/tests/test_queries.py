"""A chunk's queries do not grow with the network's news, and grow by one per member (the
outcome) and one claim per twenty members; the preview page's do not grow with the network."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.digest import tasks
from tsunagu.digest.models import DigestSent
from tsunagu.events.models import Registration
from tsunagu.events.tests.helpers import make_event
from tsunagu.profiles.models import LifeUpdate, Profile
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World

from .helpers import any_hour, make_article, settled

pytestmark = pytest.mark.usefixtures("any_hour", "settled")
__all__ = ["any_hour", "settled"]


def news(world: World, count: int) -> None:
    """``count`` events (a third of them full, which the alumna has a place at), articles and
    life updates."""
    for i in range(count):
        event = make_event(
            world.net_a,
            title=f"交流会 {i}",
            audience=["all", "employees", "alumni"][i % 3],
            capacity=1 if i % 3 == 0 else None,
            waitlist=False,
        )
        if i % 3 == 0:
            with scopes_disabled():
                Registration.objects.create(
                    network=world.net_a, event=event, user=world.alumni_a.user, status="confirmed"
                )
        make_article(world.operator_a, f"社内報 {i}")
    with scopes_disabled():
        Profile.objects.filter(network=world.net_a).update(last_department="営業部")
        LifeUpdate.objects.bulk_create(
            [
                LifeUpdate(network=world.net_a, membership=world.employee_a, body=f"近況 {i}")
                for i in range(count)
            ]
        )


def chunk_queries(world: World) -> int:
    with scopes_disabled():
        ids = list(Membership.objects.filter(network=world.net_a).values_list("user_id", flat=True))
        DigestSent.objects.all().delete()
    cache.clear()  # each chunk measured cold: the linked networks are read once, then cached
    with CaptureQueriesContext(connection) as captured:
        tasks.send_digest_chunk(world.net_a.pk, ids)
    return len(captured)


# Claiming a group of digests: SELECT … FOR UPDATE and UPDATE, inside a savepoint here (the
# test's transaction; in production a transaction of its own, whose BEGIN and COMMIT are not
# counted).
CLAIM = 4


def test_a_chunk_costs_the_same_with_ten_times_the_news(world: World) -> None:
    news(world, 3)
    few = chunk_queries(world)
    news(world, 27)
    # The world's four members of A; one of the 32 asks which events they applied for, one
    # which networks share opportunities with A.
    assert chunk_queries(world) == few == 32 + CLAIM + 4


def test_each_member_adds_one_query_and_each_twenty_members_one_claim(world: World) -> None:
    assert tasks.CLAIMED_TOGETHER == 20
    news(world, 3)
    four = chunk_queries(world)
    for i in range(10):
        make_member(world.net_a, make_user(name=f"会員 {i}"))
    with scopes_disabled():
        Membership.objects.update(created_at=Membership.objects.first().created_at)
    assert chunk_queries(world) == four + 10  # fourteen members: one claim
    for i in range(10, 20):
        make_member(world.net_a, make_user(name=f"会員 {i}"))
    with scopes_disabled():
        Membership.objects.update(created_at=Membership.objects.first().created_at)
    assert chunk_queries(world) == four + 20 + CLAIM  # twenty-four members: two claims


def test_the_preview_page_costs_the_same_with_ten_times_the_members(world: World) -> None:
    news(world, 3)
    client = world.client(world.operator_a)
    url = f"/n/{world.net_a.slug}/digest/preview/?q=会員&member={world.alumni_a.pk}"
    make_member(world.net_a, make_user(name="会員 0"))
    client.get(url)  # the session's first request looks up more
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(1, 10):
        make_member(world.net_a, make_user(name=f"会員 {i}"))
    news(world, 27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few) == 18
