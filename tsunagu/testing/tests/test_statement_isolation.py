"""Hand-written statements that take a list of ids or a network id from their caller keep to that
network even when the caller hands them another network's ids: the pages pass them only their
own network's ids today, and these tests keep the statements from relying on that."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.events.listing import seats_and_mine
from tsunagu.events.models import Registration
from tsunagu.events.tests.helpers import make_event
from tsunagu.news.actions import do_create_article
from tsunagu.news.listing import own_waiting, pending_count
from tsunagu.profiles.directory import listed_versions
from tsunagu.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]


def test_the_directory_cards_statement_reads_only_its_network(world: World) -> None:
    a_ids = [world.alumni_a.pk, world.operator_a.pk]
    assert len(listed_versions(world.net_a.pk, a_ids)) == 2
    assert listed_versions(world.net_b.pk, a_ids) == []


def test_the_event_seats_statement_reads_only_its_network(world: World) -> None:
    event = make_event(world.net_a, title="総会")
    with scopes_disabled():
        Registration.objects.create(
            network=world.net_a, event=event, user=world.alumni_a.user, status="confirmed"
        )
    assert seats_and_mine(world.alumni_a, [event.pk]) == ({event.pk: 1}, {event.pk: "confirmed"})
    assert seats_and_mine(world.alumni_b, [event.pk]) == ({}, {})


def test_the_news_statements_read_only_their_network(world: World) -> None:
    with scope(network=world.net_a):
        do_create_article(world.alumni_a, kind="column", title="承認待ちのコラム", body="本文")
    assert pending_count(world.net_a.pk) == 1
    assert pending_count(world.net_b.pk) == 0
    assert [w.title for w in own_waiting(world.net_a.pk, world.alumni_a.pk)] == ["承認待ちのコラム"]
    assert own_waiting(world.net_b.pk, world.alumni_a.pk) == []
