"""The boards' hand-written statements, portable between SQLite and PostgreSQL.

Built by the ORM, the thread page's and the thread list's queries cost several times the
database's work in CPU. Which threads a member may see is not restated here: each statement takes
the rule's SQL form from access.visible_threads(), made beside its ORM twin from one definition.
Each asserts first that the active scope is the network it reads (core.sql.in_scope()), since
none is read through the scoped manager. Table and column names come from the models; every value
is a parameter. Results are typed rows (tests/test_statement_parity.py holds them to the ORM).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connection

from tsunagu.accounts.models import User
from tsunagu.core.sql import Rule, aware, column, columns, in_scope, model_from_row
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.names import name_or_none

from .models import Category, Reaction, Subscription, Thread, ThreadRead


@dataclass(frozen=True)
class ReaderThread:
    """A thread with the reader's own: whether they follow it, and the number of the last
    comment they were shown (None before their first visit)."""

    thread: Thread
    subscribed: bool
    read_up_to: int | None


@lru_cache(maxsize=4)
def _reader_thread_sql(visible: str) -> str:
    subscriptions, reads = Subscription._meta.db_table, ThreadRead._meta.db_table
    thread_of, member_of = column(Subscription, "thread"), column(Subscription, "member")
    return (
        f"SELECT {columns(Thread, 't')},"  # noqa: S608 - names from the models, values are parameters
        f" EXISTS(SELECT 1 FROM {subscriptions} s WHERE s.{thread_of} = t.id"
        f" AND s.{member_of} = %s),"
        f" (SELECT r.{column(ThreadRead, 'last_number')} FROM {reads} r"
        f" WHERE r.{column(ThreadRead, 'thread')} = t.id"
        f" AND r.{column(ThreadRead, 'member')} = %s)"
        f" FROM {Thread._meta.db_table} t WHERE t.id = %s AND {visible}"
    )


def reader_thread(member: Membership, pk: int, visible: Rule) -> ReaderThread | None:
    """The thread with the reader's own, or None (access.access_thread_for_reader());
    ``visible``: access.visible_threads(member).rule()."""
    in_scope(member.network_id)
    with connection.cursor() as cursor:
        cursor.execute(_reader_thread_sql(visible.sql), [member.pk, member.pk, pk, *visible.params])
        row = cursor.fetchone()
    if row is None:
        return None
    subscribed, read_up_to = row[-2:]
    return ReaderThread(model_from_row(Thread, row), bool(subscribed), read_up_to)


@dataclass(frozen=True)
class ThreadRow:
    """What a row of a thread list shows; ``unread``: comments the member has not been shown,
    None when they never opened the thread."""

    pk: int
    kind: str
    title: str
    is_pinned: bool
    is_locked: bool
    is_hidden: bool
    is_answered: bool
    last_activity_at: datetime
    comment_count: int
    category_name: str
    author_name: str | None  # None: the author has left (tenancy/names.py)
    unread: int | None


# What a row's shared HTML shows: every field but the reader's own.
SHARED_FIELDS = tuple(f.name for f in fields(ThreadRow) if f.name != "unread")


@dataclass(frozen=True)
class ThreadRows:
    """A page of a thread list, and the size of the whole list (0 when the page is empty)."""

    rows: list[ThreadRow]
    total: int


# The columns of a list's row, in ThreadRow's order (the reader's marks and the total follow).
LIST_FIELDS = (
    "id", "kind", "title", "is_pinned", "is_locked", "is_hidden", "is_answered",
    "last_activity_at", "comment_count", "comment_seq",
)  # fmt: skip


def _where(visible: str, *, category: bool) -> str:
    where = f" WHERE {visible}"
    if category:
        where += f" AND t.{column(Thread, 'category')} = %s"
    return where


@lru_cache(maxsize=8)
def _list_sql(visible: str, category: bool) -> str:
    # The total for the pager is an uncorrelated subquery, counted once beside the page's rows;
    # its own ``t`` hides the outer one, so the rule reads the same in both.
    total = _count_sql(visible, category)
    c = {name: column(Thread, name) for name in ("category", "author", "is_pinned", "id")}
    return (
        f"SELECT {', '.join(f't.{column(Thread, name)}' for name in LIST_FIELDS)},"  # noqa: S608
        f" c.{column(Category, 'name')}, u.{column(User, 'name')},"
        f" m.{column(Membership, 'status')}, r.{column(ThreadRead, 'last_number')}, ({total})"
        f" FROM {Thread._meta.db_table} t"
        f" INNER JOIN {Category._meta.db_table} c ON c.id = t.{c['category']}"
        f" LEFT JOIN {Membership._meta.db_table} m ON m.id = t.{c['author']}"
        f" LEFT JOIN {User._meta.db_table} u ON u.id = m.{column(Membership, 'user')}"
        f" LEFT JOIN {ThreadRead._meta.db_table} r ON r.{column(ThreadRead, 'thread')} = t.id"
        f" AND r.{column(ThreadRead, 'member')} = %s{_where(visible, category=category)}"
        f" ORDER BY t.{c['is_pinned']} DESC, t.{column(Thread, 'last_activity_at')} DESC,"
        f" t.{c['id']} DESC LIMIT %s OFFSET %s"
    )


@lru_cache(maxsize=8)
def _count_sql(visible: str, category: bool) -> str:
    where = _where(visible, category=category)
    return f"SELECT COUNT(*) FROM {Thread._meta.db_table} t{where}"  # noqa: S608 - as above


def _list_params(visible: Rule, category_id: int | None) -> list[Any]:
    return [*visible.params, *([] if category_id is None else [category_id])]


def _thread_row(raw: Sequence[Any]) -> ThreadRow:
    (pk, kind, title, pinned, locked, hidden, answered, at, count, seq, category, author,
     author_status, last_number, _total) = raw  # fmt: skip
    return ThreadRow(
        pk=pk,
        kind=kind,
        title=title,
        is_pinned=bool(pinned),
        is_locked=bool(locked),
        is_hidden=bool(hidden),
        is_answered=bool(answered),
        last_activity_at=aware(at),
        comment_count=count,
        category_name=category,
        author_name=name_or_none(author, author_status),
        unread=None if last_number is None else max(0, seq - last_number),
    )


def thread_rows(
    member: Membership,
    category_id: int | None,
    *,
    visible: Rule,
    limit: int,
    offset: int,
) -> ThreadRows:
    """A page of a thread list (listing.thread_list()), pinned threads first, then by latest
    activity; ``visible``: access.visible_threads(member).rule()."""
    in_scope(member.network_id)
    scope = _list_params(visible, category_id)
    sql = _list_sql(visible.sql, category_id is not None)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*scope, member.pk, *scope, limit, offset])
        found = cursor.fetchall()
    return ThreadRows([_thread_row(r) for r in found], int(found[0][-1]) if found else 0)


def thread_count(member: Membership, category_id: int | None, *, visible: Rule) -> int:
    """How many threads the list holds (``visible`` as for thread_rows())."""
    in_scope(member.network_id)
    sql = _count_sql(visible.sql, category_id is not None)
    with connection.cursor() as cursor:
        cursor.execute(sql, _list_params(visible, category_id))
        return int(cursor.fetchone()[0])


OWN_STAMPS_SQL = (
    f"SELECT {column(Reaction, 'comment')}, {column(Reaction, 'stamp')}"  # noqa: S608
    f" FROM {Reaction._meta.db_table} WHERE {column(Reaction, 'network')} = %s"
    f" AND {column(Reaction, 'thread')} = %s AND {column(Reaction, 'member')} = %s"
)


def own_stamps(thread: Thread, member: Membership) -> set[tuple[int | None, str]]:
    """The (comment id, stamp) pairs the member gave in the thread; None: on the thread itself.

    Read on every view of a thread page, so written by hand (the ORM's query building costs
    several times the database's work)."""
    in_scope(member.network_id)
    with connection.cursor() as cursor:
        cursor.execute(OWN_STAMPS_SQL, [member.network_id, thread.pk, member.pk])
        return set(cursor.fetchall())
