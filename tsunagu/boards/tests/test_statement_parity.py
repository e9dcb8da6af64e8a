"""The boards' hand-written statements (queries.py) against their ORM twins: for every role of the
two-network world, and for members whose role, status or rights changed, the same threads with
the same reader's marks, not one more or fewer."""

from __future__ import annotations

import pytest
from django.db.models import Exists, OuterRef, Subquery
from django_scopes import scope, scopes_disabled

from tsunagu.boards import queries
from tsunagu.boards.access import filter_threads, visible_threads
from tsunagu.boards.listing import thread_list
from tsunagu.boards.models import Category, Reaction, Subscription, Thread, ThreadRead
from tsunagu.boards.tests.helpers import make_category, make_thread
from tsunagu.tenancy.models import Membership, Network, Role, Status
from tsunagu.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]

ROLES = (
    "operator_a", "supporter_a", "employee_a", "alumni_a", "operator_b", "supporter_b", "alumni_b",
)  # fmt: skip


def threads_of_every_kind(world: World) -> list[Thread]:
    """Shown and hidden threads in two categories of each network; some followed, read and
    stamped by the alumna of network A."""
    threads = []
    for network, author in ((world.net_a, world.alumni_a), (world.net_b, world.alumni_b)):
        for name in ("雑談", "転職相談"):
            category = make_category(network, name=name)
            for hidden in (False, True):
                title = f"{network.slug} {name} {'非表示' if hidden else '公開'}"
                threads.append(make_thread(author, category=category, title=title))
                if hidden:
                    with scopes_disabled():
                        Thread.objects.filter(pk=threads[-1].pk).update(is_hidden=True)
    with scopes_disabled():
        Thread.objects.filter(pk=threads[0].pk).update(comment_seq=5, is_pinned=True)
        reader = world.alumni_a
        for thread in threads[:2]:
            Subscription.objects.create(network=world.net_a, thread=thread, member=reader)
        ThreadRead.objects.create(network=world.net_a, thread=threads[0], member=reader,
                                  last_number=3)  # fmt: skip
        Reaction.objects.create(network=world.net_a, thread=threads[0], member=reader,
                                stamp="like")  # fmt: skip
        Reaction.objects.create(network=world.net_a, thread=threads[1], member=reader,
                                stamp="thanks")  # fmt: skip
        return list(Thread.objects.filter(pk__in=[t.pk for t in threads]).order_by("pk"))


def orm_threads(member: Membership, category: Category | None = None) -> list[tuple]:
    """The threads the member may see, as the list orders them, with their reader's marks."""
    qs = filter_threads(member).annotate(
        subscribed=Exists(Subscription.objects.filter(thread=OuterRef("pk"), member=member)),
        read_up_to=Subquery(
            ThreadRead.objects.filter(thread=OuterRef("pk"), member=member).values("last_number")
        ),
    )
    if category is not None:
        qs = qs.filter(category=category)
    qs = qs.order_by("-is_pinned", "-last_activity_at", "-id")
    return [(t.pk, t.subscribed, t.read_up_to) for t in qs]  # type: ignore[attr-defined]


def statement_threads(member: Membership, threads: list[Thread]) -> set[tuple]:
    found = set()
    rule = visible_threads(member).rule()
    for thread in threads:
        row = queries.reader_thread(member, thread.pk, rule)
        if row is not None:
            assert row.thread == thread and row.thread.title == thread.title
            assert row.thread.is_hidden is thread.is_hidden  # a bool on SQLite too
            assert row.thread.created_at == thread.created_at  # aware on SQLite too
            found.add((row.thread.pk, row.subscribed, row.read_up_to))
    return found


def listed(member: Membership, category: Category | None = None) -> list[tuple]:
    page = thread_list(member, "1", None if category is None else category.pk)
    marks = {pk: (subscribed, read) for pk, subscribed, read in orm_threads(member, category)}
    return [(row.pk, *marks[row.pk]) for row in page.rows]


def assert_parity(member: Membership, threads: list[Thread]) -> None:
    with scope(network=member.network):
        expected = orm_threads(member)
        assert statement_threads(member, threads) == set(expected)
        assert listed(member) == expected  # the same threads in the same order
        rule = visible_threads(member).rule()
        assert queries.thread_count(member, None, visible=rule) == len(expected)
        for category in Category.objects.filter(network=member.network):
            in_category = orm_threads(member, category)
            assert listed(member, category) == in_category
            assert queries.thread_count(member, category.pk, visible=rule) == len(in_category)
        for thread in threads:
            stamps = Reaction.objects.filter(thread=thread, member=member)
            mine = set(stamps.values_list("comment_id", "stamp"))
            assert queries.own_stamps(thread, member) == mine


def test_every_role_reads_the_same_threads_by_statement_as_by_the_orm(world: World) -> None:
    threads = threads_of_every_kind(world)
    for name in ROLES:
        assert_parity(getattr(world, name), threads)
    # What each role sees, so that parity is not two empty sets.
    with scope(network=world.net_a):
        assert len(orm_threads(world.operator_a)) == 4
        assert len(orm_threads(world.alumni_a)) == 2
        first = orm_threads(world.alumni_a)[0]
        assert first == (threads[0].pk, True, 3)
        assert queries.own_stamps(threads[0], world.alumni_a) == {(None, "like")}


def test_after_a_change_of_role_status_or_rights_both_agree_at_once(world: World) -> None:
    threads = threads_of_every_kind(world)
    member = world.operator_a
    for role, status in (
        (Role.ALUMNI, Status.ACTIVE),
        (Role.OPERATOR, Status.SUSPENDED),
        (Role.SUPPORTER, Status.ACTIVE),
    ):
        with scopes_disabled():
            Membership.objects.filter(pk=member.pk).update(role=role, status=status)
            member.refresh_from_db()
        assert_parity(member, threads)
    supporter = world.supporter_a
    for allowed in (True, False):  # supporters moderate while the network lets them
        with scopes_disabled():
            Network.objects.filter(pk=world.net_a.pk).update(supporters_may_moderate=allowed)
            supporter = Membership.objects.select_related("network").get(pk=supporter.pk)
        with scope(network=world.net_a):
            assert len(orm_threads(supporter)) == (4 if allowed else 2)
        assert_parity(supporter, threads)


def test_the_statements_fail_closed_outside_their_network(world: World) -> None:
    from django_scopes import ScopeError

    thread = threads_of_every_kind(world)[0]
    member = world.alumni_a
    rule = visible_threads(member).rule()
    statements = (
        lambda: queries.reader_thread(member, thread.pk, rule),
        lambda: queries.thread_rows(member, None, visible=rule, limit=30, offset=0),
        lambda: queries.thread_count(member, None, visible=rule),
        lambda: queries.own_stamps(thread, member),
    )
    for statement in statements:
        for network in (world.net_b, None):  # another network's scope, and no network's
            with scope(network=network), pytest.raises(ScopeError):
                statement()
        with scope(network=world.net_a):
            assert statement() is not None
