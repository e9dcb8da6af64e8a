"""The news list's hand-written statements, portable between PostgreSQL and SQLite.

The list is the most read page of the news. Built by the ORM, its queries (the count, the page of
articles with their authors, their tags, the reader's own unpublished articles) cost about ten
times the database's work in CPU. Which articles a member reads is not restated here: the
statements take the rule's SQL form from access.Published, made beside its ORM twin from one
definition. They are not read through the scoped manager: each first checks that the active
scope is the network it reads (core.sql.in_scope()). Tables are named from the models; every
value is a parameter. Each has a parity test against its ORM twin
(tests/test_statement_parity.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from tsunagu.accounts.models import User
from tsunagu.core.sql import Rule, aware, in_scope, placeholders
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.names import name_or_none

from .models import OPERATOR_KINDS, Article, Kind, State, Tag

PER_PAGE = 20
WAITING_MAX = 10
KIND_LABELS = dict(Kind.choices)  # lazy: each translated in the reader's language
STATE_LABELS = dict(State.choices)


@dataclass(frozen=True)
class Row:
    """An article as a row of the list shows it."""

    pk: int
    kind: str
    title: str
    published_at: datetime
    is_pinned: bool
    comment_count: int
    author_name: str | None  # None once the author has left the network
    tags: tuple[str, ...] = ()

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def is_by_office(self) -> bool:
        return self.kind in OPERATOR_KINDS


@dataclass(frozen=True)
class Waiting:
    """One of the reader's own articles that others cannot read yet."""

    pk: int
    title: str
    state: str
    published_at: datetime

    @property
    def is_scheduled(self) -> bool:
        """Approved, waiting only for its publishing time."""
        return self.state == State.PUBLISHED

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))


_ARTICLE = Article._meta.db_table
_TAG = Tag._meta.db_table
_MEMBERSHIP = Membership._meta.db_table
_USER = User._meta.db_table
_A_NETWORK = Article._meta.get_field("network").column
_A_AUTHOR = Article._meta.get_field("author").column
_T_ARTICLE = Tag._meta.get_field("article").column
_T_NETWORK = Tag._meta.get_field("network").column
_M_USER = Membership._meta.get_field("user").column


@dataclass(frozen=True)
class Listed:
    """Which articles a list shows: those of ``network_id`` that ``where`` (over the articles as
    ``a``) keeps, with its parameters (listed())."""

    network_id: int
    where: str
    params: tuple[Any, ...]


def listed(network_id: int, published: Rule, kind: str, tag: str) -> Listed:
    """The articles of the list: ``published`` (access.published().rule()) with the list's
    filters: ``kind`` is a Kind value, "office" or "members" (or "" for all), ``tag`` a
    normalised tag (or "")."""
    where = f"a.{_A_NETWORK} = %s AND {published.sql}"
    params: list[Any] = [network_id, *published.params]
    office = sorted(OPERATOR_KINDS)
    if kind == "office":
        where += f" AND a.kind IN ({placeholders(office)})"
        params += office
    elif kind == "members":
        where += f" AND a.kind NOT IN ({placeholders(office)})"
        params += office
    elif kind:
        where += " AND a.kind = %s"
        params.append(kind)
    if tag:
        where += (
            f" AND a.id IN (SELECT t.{_T_ARTICLE} FROM {_TAG} t"  # noqa: S608 - names from models
            f" WHERE t.{_T_NETWORK} = %s AND t.normalized = %s)"
        )
        params += [network_id, tag]
    return Listed(network_id, where, tuple(params))


# The page of articles with the size of the whole list (a window over the filtered articles,
# computed before LIMIT), then their authors' names and their tags, one line per tag.
PAGE_SQL = (
    "SELECT p.id, p.kind, p.title, p.published_at, p.is_pinned, p.comment_count,"  # noqa: S608
    " m.status, u.name, p.total, t.name FROM ("
    f"SELECT a.id, a.kind, a.title, a.published_at, a.is_pinned, a.comment_count, a.{_A_AUTHOR},"
    f" COUNT(*) OVER () AS total FROM {_ARTICLE} a WHERE {{where}}"
    " ORDER BY a.published_at DESC, a.id DESC LIMIT %s OFFSET %s) p"
    f" LEFT JOIN {_MEMBERSHIP} m ON m.id = p.{_A_AUTHOR}"
    f" LEFT JOIN {_USER} u ON u.id = m.{_M_USER}"
    f" LEFT JOIN {_TAG} t ON t.{_T_ARTICLE} = p.id"
    " ORDER BY p.published_at DESC, p.id DESC, t.id"
)
COUNT_SQL = f"SELECT COUNT(*) FROM {_ARTICLE} a WHERE {{where}}"  # noqa: S608 - as above


def page_rows(articles: Listed, offset: int) -> tuple[list[Row], int]:
    """A page of the list from ``offset``, and how many articles the list holds."""
    in_scope(articles.network_id)
    heads: dict[int, tuple[Any, ...]] = {}
    tags: dict[int, list[str]] = {}
    total = 0
    with connection.cursor() as cursor:
        # Fixed fragments and placeholders only: every value goes in params.
        sql = PAGE_SQL.replace("{where}", articles.where)
        cursor.execute(sql, [*articles.params, PER_PAGE, offset])
        for *head, count, tag in cursor:
            pk = head[0]
            if pk not in heads:
                heads[pk] = tuple(head)
                tags[pk] = []
                total = int(count)
            if tag is not None:
                tags[pk].append(tag)
    rows = [
        Row(
            pk=pk,
            kind=kind,
            title=title,
            published_at=aware(published),
            is_pinned=bool(pinned),
            comment_count=int(comments),
            author_name=name_or_none(name, status),
            tags=tuple(tags[pk]),
        )
        for pk, kind, title, published, pinned, comments, status, name in heads.values()
    ]
    return rows, total


def article_count(articles: Listed) -> int:
    """How many articles the list holds."""
    in_scope(articles.network_id)
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL.replace("{where}", articles.where), articles.params)
        return int(cursor.fetchone()[0])


WAITING_SQL = (
    f"SELECT a.id, a.title, a.state, a.published_at FROM {_ARTICLE} a"  # noqa: S608 - as above
    f" WHERE a.{_A_NETWORK} = %s AND a.{_A_AUTHOR} = %s AND NOT {{published}}"
    " ORDER BY a.created_at DESC, a.id DESC LIMIT %s"
)


def own_waiting(member: Membership, published: Rule) -> list[Waiting]:
    """The member's latest articles that are not (yet) ``published`` (access.published()):
    waiting for approval, turned down, or scheduled."""
    in_scope(member.network_id)
    with connection.cursor() as cursor:
        cursor.execute(
            WAITING_SQL.replace("{published}", published.sql),
            [member.network_id, member.pk, *published.params, WAITING_MAX],
        )
        return [
            Waiting(pk=pk, title=title, state=state, published_at=aware(published_at))
            for pk, title, state, published_at in cursor.fetchall()
        ]


PENDING_SQL = f"SELECT COUNT(*) FROM {_ARTICLE} a WHERE a.{_A_NETWORK} = %s AND a.state = %s"  # noqa: S608


def pending_count(network_id: int) -> int:
    """How many articles wait for the operators' approval (the ORM's count of the same costs
    over ten times the CPU, on the list page of every operator)."""
    in_scope(network_id)
    with connection.cursor() as cursor:
        cursor.execute(PENDING_SQL, [network_id, State.PENDING])
        return int(cursor.fetchone()[0])
