"""The statements behind the news list, written by hand.

The list is the most read page of the news. Built by the ORM, its queries (the count, the page of
articles with their authors, their tags, the reader's own unpublished articles) cost about ten
times the database's work in CPU, so they are plain SQL here, portable between PostgreSQL and
SQLite. The rules are those of published_articles(): this network only, approved articles whose
publishing time has come.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from tsunagu.core.sql import aware
from tsunagu.tenancy.names import name_or_none

from .models import OPERATOR_KINDS, State

PER_PAGE = 20
WAITING_MAX = 10


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


@dataclass
class Waiting:
    """One of the reader's own articles that others cannot read yet."""

    pk: int
    title: str
    state: str
    published_at: datetime


@dataclass
class Page:
    """A page of the list, numbered as django.core.paginator's get_page() numbers them."""

    rows: list[Row]
    number: int
    num_pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _visible(network_id: int, kind: str, tag: str, now: datetime) -> tuple[str, list[Any]]:
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


def _fetch(where: str, params: list[Any], offset: int) -> tuple[list[Row], int]:
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


def articles_page(network_id: int, *, kind: str, tag: str, number: object) -> Page:
    """The page ``number`` of the list; like Paginator.get_page(), a number that is not one
    gives the first page and one out of range the last."""
    where, params = _visible(network_id, kind, tag, timezone.now())
    try:
        wanted = int(str(number)) if number is not None else 1
    except ValueError:
        wanted = 1
    if 1 <= wanted < 2**31:
        rows, total = _fetch(where, params, (wanted - 1) * PER_PAGE)
        if rows or wanted == 1:
            return Page(rows, wanted, max(1, -(-total // PER_PAGE)))
    # Out of range (rare): count, then show the last page.
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL.replace("{where}", where), params)
        total = int(cursor.fetchone()[0])
    last = max(1, -(-total // PER_PAGE))
    rows, total = _fetch(where, params, (last - 1) * PER_PAGE)
    return Page(rows, last, max(1, -(-total // PER_PAGE)))


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
