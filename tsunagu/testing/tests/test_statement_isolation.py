"""Hand-written statements keep to their network. Run in their network's scope (as pages and
tasks run them), they read that network only even when the caller hands them another network's
ids; run in another network's scope, or in none, they raise (core.sql.in_scope()) instead of
reading, as the scoped manager does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django_scopes import ScopeError, scope, scopes_disabled

from tsunagu.events.access import access_event_for_reader
from tsunagu.events.listing import read_events_page, seats_and_mine
from tsunagu.events.models import Registration
from tsunagu.events.queries import Seats
from tsunagu.events.tests.helpers import make_event
from tsunagu.news import queries as news_queries
from tsunagu.news.access import published
from tsunagu.news.actions import do_create_article
from tsunagu.news.listing import articles_page, own_waiting, pending_count
from tsunagu.profiles import queries as profile_queries
from tsunagu.profiles.directory import entries_matching, listed_versions, page_ids
from tsunagu.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]


def test_the_directory_cards_statement_reads_only_its_network(world: World) -> None:
    a_ids = [world.alumni_a.pk, world.operator_a.pk]
    with scope(network=world.net_a):
        assert len(listed_versions(world.net_a.pk, a_ids)) == 2
    with scope(network=world.net_b):
        assert listed_versions(world.net_b.pk, a_ids) == []


def test_the_event_seats_statement_reads_only_its_network(world: World) -> None:
    event = make_event(world.net_a, title="総会")
    with scopes_disabled():
        Registration.objects.create(
            network=world.net_a, event=event, user=world.alumni_a.user, status="confirmed"
        )
    with scope(network=world.net_a):
        assert seats_and_mine(world.alumni_a, [event.pk]) == {event.pk: Seats(1, "confirmed")}
    with scope(network=world.net_b):
        assert seats_and_mine(world.alumni_b, [event.pk]) == {}


def test_the_news_statements_read_only_their_network(world: World) -> None:
    with scope(network=world.net_a):
        do_create_article(world.alumni_a, kind="column", title="承認待ちのコラム", body="本文")
        assert pending_count(world.net_a.pk) == 1
        assert [w.title for w in own_waiting(world.alumni_a)] == ["承認待ちのコラム"]
    with scope(network=world.net_b):
        assert pending_count(world.net_b.pk) == 0


def statements_of_network_a(world: World) -> dict[str, Callable[[], object]]:
    """Every statement of news, profiles and events, called about network A."""
    event = make_event(world.net_a, title="総会")
    member = world.alumni_a
    a = world.net_a.pk
    return {
        "events.reader_event": lambda: access_event_for_reader(member, event.pk),
        "events.event_page_rows": lambda: read_events_page(member, now=event.starts_at, past=False),
        "events.seats_and_mine": lambda: seats_and_mine(member, [event.pk]),
        "news.page_rows": lambda: articles_page(a, kind="", tag="", number=1),
        "news.article_count": lambda: news_queries.article_count(
            news_queries.listed(a, published().rule(), "", "")
        ),
        "news.own_waiting": lambda: own_waiting(member),
        "news.pending_count": lambda: pending_count(a),
        "profiles.my_profile": lambda: profile_queries.my_profile(member),
        "profiles.listed_versions": lambda: listed_versions(a, [member.pk]),
        "profiles.within_window": lambda: profile_queries.within_window(
            a, entries_matching(a), ("sort_name", "profile_id"), 0, 10, size=100
        ),
    }


def test_a_statement_called_in_another_networks_scope_raises(world: World) -> None:
    statements = statements_of_network_a(world)
    for name, call in statements.items():
        with scope(network=world.net_a):
            call()  # runs in its own network's scope
        with scope(network=world.net_b), pytest.raises(ScopeError):
            call()
            pytest.fail(f"{name} read network A in network B's scope")


def test_a_statement_called_outside_any_scope_raises(world: World) -> None:
    for name, call in statements_of_network_a(world).items():
        with pytest.raises(ScopeError):
            call()
            pytest.fail(f"{name} ran outside any scope")


def test_the_directory_window_refuses_another_networks_scope(world: World) -> None:
    """The directory's page of ids, the caller of within_window(), fails closed as well."""
    with scope(network=world.net_b), pytest.raises(ScopeError):
        page_ids(world.net_a.pk, entries_matching(world.net_a.pk), ("sort_name",), 0, 5, many=True)
