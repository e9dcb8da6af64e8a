"""The news list's hand-written statements (queries.py) against their ORM twin (access.Published's
``q()``, published_articles()): for every role of the two-network world, and after an author's
status changed, the same articles in the same order with the same authors and tags, and the
same own waiting articles and count of articles waiting for approval. Each statement runs in
its member's network's scope, as the list page runs it."""

from __future__ import annotations

from datetime import timedelta
from itertools import cycle

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.news import queries
from tsunagu.news.access import published, published_articles
from tsunagu.news.listing import articles_page, own_waiting, pending_count
from tsunagu.news.models import OPERATOR_KINDS, Article, Kind, State, Tag
from tsunagu.tenancy.models import Membership, Status
from tsunagu.tenancy.names import name_or_none
from tsunagu.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]

ROLES = (
    "operator_a", "supporter_a", "employee_a", "alumni_a", "operator_b", "supporter_b", "alumni_b",
)  # fmt: skip
FILTERS = [("", ""), ("office", ""), ("members", ""), (Kind.COLUMN, ""), ("", "転職"), ("", "")]


def articles_of_every_kind(world: World) -> None:
    """In both networks, by every role: each kind, published, scheduled, pending and turned
    down, some tagged, more than a page of them."""
    now = timezone.now()
    states = cycle(
        [
            (State.PUBLISHED, -1),
            (State.PUBLISHED, 2),  # scheduled
            (State.PENDING, -1),
            (State.PUBLISHED, -3),
            (State.REJECTED, -1),
        ]
    )
    kinds = cycle(Kind.values)
    with scopes_disabled():
        for n in range(3):
            for name in ROLES:
                author = getattr(world, name)
                state, hours = next(states)
                article = Article.objects.create(
                    network_id=author.network_id,
                    author=author,
                    kind=next(kinds),
                    title=f"{name} {n}",
                    body="本文",
                    state=state,
                    published_at=now + timedelta(hours=hours, minutes=n),
                    is_pinned=n == 1,
                    comment_count=n,
                )
                for tag in ("転職", "近況")[: n % 3]:
                    Tag.objects.create(
                        network_id=author.network_id, article=article, name=tag, normalized=tag
                    )


def orm_rows(network_id: int, kind: str, tag: str) -> list[tuple[object, ...]]:
    with scopes_disabled():
        qs = published_articles(network_id).select_related("author__user")
        if kind == "office":
            qs = qs.filter(kind__in=OPERATOR_KINDS)
        elif kind == "members":
            qs = qs.exclude(kind__in=OPERATOR_KINDS)
        elif kind:
            qs = qs.filter(kind=kind)
        if tag:
            qs = qs.filter(tags__normalized=tag)
        return [
            (
                a.pk,
                a.title,
                a.published_at,
                a.is_pinned,
                a.comment_count,
                name_or_none(a.author.user.name, a.author.status) if a.author else None,
                tuple(a.tags.order_by("id").values_list("name", flat=True)),
            )
            for a in qs.order_by("-published_at", "-id")
        ]


def statement_rows(member: Membership, kind: str, tag: str) -> list[tuple[object, ...]]:
    rows = []
    with scope(network=member.network):
        number, more = 1, True
        while more:
            page = articles_page(member.network_id, kind=kind, tag=tag, number=number)
            rows += page.rows
            number, more = number + 1, page.has_next
        listed = queries.listed(member.network_id, published().rule(), kind, tag)
        count = queries.article_count(listed)
    assert count == len({row.pk for row in rows})
    return [
        (r.pk, r.title, r.published_at, r.is_pinned, r.comment_count, r.author_name, r.tags)
        for r in rows
    ]


def orm_waiting(member: Membership) -> list[tuple[int, str]]:
    with scopes_disabled():
        qs = Article.objects.filter(network_id=member.network_id, author=member)
        mine = qs.exclude(published().q()).order_by("-created_at", "-id")[: queries.WAITING_MAX]
        return [(a.pk, a.state) for a in mine]


def assert_parity(member: Membership) -> None:
    for kind, tag in FILTERS:
        assert statement_rows(member, kind, tag) == orm_rows(member.network_id, kind, tag)
    with scope(network=member.network):
        waiting = [(w.pk, w.state) for w in own_waiting(member)]
        pending = pending_count(member.network_id)
    assert waiting == orm_waiting(member)
    with scopes_disabled():
        orm_pending = Article.objects.filter(network_id=member.network_id, state=State.PENDING)
        assert pending == orm_pending.count()


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of three articles, so that the lists run over several pages."""
    monkeypatch.setattr(queries, "PER_PAGE", 3)
    monkeypatch.setattr("tsunagu.news.listing.PER_PAGE", 3)


def test_every_role_reads_the_same_articles_by_statement_as_by_the_orm(world: World) -> None:
    articles_of_every_kind(world)
    for name in ROLES:
        assert_parity(getattr(world, name))
    # So that parity is not two empty lists: several pages in A, tags, waiting articles.
    assert len(orm_rows(world.net_a.pk, "", "")) > 3
    assert any(row[-1] for row in orm_rows(world.net_a.pk, "", "転職"))
    waiting = {state for name in ROLES for _pk, state in orm_waiting(getattr(world, name))}
    assert waiting == {State.PENDING, State.REJECTED, State.PUBLISHED}  # published: scheduled


def test_after_an_authors_status_changed_both_agree_at_once(world: World) -> None:
    articles_of_every_kind(world)
    for status in (Status.SUSPENDED, Status.ACTIVE):
        with scopes_disabled():
            Membership.objects.filter(pk=world.supporter_a.pk).update(status=status)
            world.supporter_a.refresh_from_db()
        for name in ("supporter_a", "alumni_a"):
            assert_parity(getattr(world, name))
