"""The news list's hand-written statements, portable between PostgreSQL and SQLite.

The list is the most read page of the news. Built by the ORM, its queries (the count, the page of
articles with their authors, their tags, the reader's own unpublished articles) cost about ten
times the database's work in CPU. The list's statements restate the rules of
access.published_articles() and must agree with it: this network only, approved articles whose
publishing time has come. They are not read through the scoped manager; each scopes itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from tsunagu.core.sql import aware
from tsunagu.tenancy.names import name_or_none

from .models import OPERATOR_KINDS, Kind, State

PER_PAGE = 20
WAITING_MAX = 10
KIND_LABELS = dict(Kind.choices)  # lazy: each translated in the reader's language
STATE_LABELS = dict(State.choices)


@dataclass
class Row:
    """An article as a row of the list shows it."""

    pk: int
    kind: str
    title: str
    published_at: datetime
    is_pinned: bool
    comment_count: int
    author_name: str | None  # None once the author has left the network
    tags: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def is_by_office(self) -> bool:
        return self.kind in OPERATOR_KINDS


@dataclass
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


def visible_where(network_id: int, kind: str, tag: str, now: datetime) -> tuple[str, list[Any]]:
    """The WHERE clause of published_articles() with the list's filters: ``kind`` is a Kind
    value, "office" or "members" (or "" for all), ``tag`` a normalised tag (or "")."""
    where = "a.network_id = %s AND a.state = %s AND a.published_at <= %s"
    params: list[Any] = [network_id, State.PUBLISHED, connection.ops.adapt_datetimefield_value(now)]
    office = sorted(OPERATOR_KINDS)
    marks = ", ".join(["%s"] * len(office))
    if kind == "office":
        where += f" AND a.kind IN ({marks})"
        params += office
    elif kind == "members":
        where += f" AND a.kind NOT IN ({marks})"
        params += office
    elif kind:
        where += " AND a.kind = %s"
        params.append(kind)
    if tag:
        where += (
            " AND a.id IN (SELECT t.article_id FROM news_tag t"
            " WHERE t.network_id = %s AND t.normalized = %s)"
        )
        params += [network_id, tag]
    return where, params


# The page of articles with the size of the whole list (a window over the filtered articles,
# computed before LIMIT), then their authors' names and their tags, one line per tag.
PAGE_SQL = (
    "SELECT p.id, p.kind, p.title, p.published_at, p.is_pinned, p.comment_count,"
    " m.status, u.name, p.total, t.name FROM ("
    "SELECT a.id, a.kind, a.title, a.published_at, a.is_pinned, a.comment_count, a.author_id,"
    " COUNT(*) OVER () AS total FROM news_article a WHERE {where}"
    " ORDER BY a.published_at DESC, a.id DESC LIMIT %s OFFSET %s) p"
    " LEFT JOIN tenancy_membership m ON m.id = p.author_id"
    " LEFT JOIN accounts_user u ON u.id = m.user_id"
    " LEFT JOIN news_tag t ON t.article_id = p.id"
    " ORDER BY p.published_at DESC, p.id DESC, t.id"
)
COUNT_SQL = "SELECT COUNT(*) FROM news_article a WHERE {where}"


def page_rows(where: str, params: list[Any], offset: int) -> tuple[list[Row], int]:
    rows: dict[int, Row] = {}
    total = 0
    with connection.cursor() as cursor:
        # Fixed fragments and placeholders only: every value goes in params.
        cursor.execute(PAGE_SQL.replace("{where}", where), [*params, PER_PAGE, offset])
        for pk, kind, title, published, pinned, comments, status, name, count, tag in cursor:
            row = rows.get(pk)
            if row is None:
                row = rows[pk] = Row(
                    pk=pk,
                    kind=kind,
                    title=title,
                    published_at=aware(published),
                    is_pinned=bool(pinned),
                    comment_count=int(comments),
                    author_name=name_or_none(name, status),
                )
                total = int(count)
            if tag is not None:
                row.tags.append(tag)
    return list(rows.values()), total


def article_count(where: str, params: list[Any]) -> int:
    """How many articles the list holds (``where``, ``params``: from visible_where())."""
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL.replace("{where}", where), params)
        return int(cursor.fetchone()[0])


WAITING_SQL = (
    "SELECT id, title, state, published_at FROM news_article"
    " WHERE network_id = %s AND author_id = %s AND NOT (state = %s AND published_at <= %s)"
    " ORDER BY created_at DESC, id DESC LIMIT %s"
)


def own_waiting(network_id: int, member_id: int) -> list[Waiting]:
    """The member's latest articles that are not (yet) published: waiting for approval, turned
    down, or scheduled."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(WAITING_SQL, [network_id, member_id, State.PUBLISHED, now, WAITING_MAX])
        return [
            Waiting(pk=pk, title=title, state=state, published_at=aware(published))
            for pk, title, state, published in cursor.fetchall()
        ]


def pending_count(network_id: int) -> int:
    """How many articles wait for the operators' approval."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM news_article WHERE network_id = %s AND state = %s",
            [network_id, State.PENDING],
        )
        return int(cursor.fetchone()[0])
