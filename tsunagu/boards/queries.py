"""The boards' hand-written statements, portable between SQLite and PostgreSQL.

Each restates a rule of access.py and must agree with it: what it restates is said beside it.
They are not read through the scoped manager; each scopes itself to the member's network.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models.query import RawQuerySet

from tsunagu.accounts.models import User
from tsunagu.tenancy.models import Membership

from .models import Category, Thread, ThreadRead

# The rules of access.filter_threads(): this network only, hidden threads for moderators only.
READER_THREAD_SQL = (
    "SELECT t.*, EXISTS(SELECT 1 FROM boards_subscription s WHERE s.thread_id = t.id"
    " AND s.member_id = %s) AS subscribed, (SELECT r.last_number FROM boards_threadread r"
    " WHERE r.thread_id = t.id AND r.member_id = %s) AS read_up_to FROM boards_thread t"
    " WHERE t.network_id = %s AND t.id = %s AND (%s OR NOT t.is_hidden)"
)


def reader_thread(member: Membership, pk: int, *, moderator: bool) -> Thread | None:
    """The thread with the reader's ``subscribed`` and ``read_up_to``, or None
    (access.access_thread_for_reader())."""
    params = [member.pk, member.pk, member.network_id, pk, moderator]
    found = list(RawQuerySet(READER_THREAD_SQL, model=Thread, params=tuple(params)))
    return found[0] if found else None


# The thread lists (listing.thread_list()), with the rules of access.filter_threads(): this
# network only, hidden threads for moderators only.
def _where(*, moderator: bool, category: bool, alias: str) -> str:
    where = f" WHERE {alias}.network_id = %s"
    if not moderator:
        where += f" AND NOT {alias}.is_hidden"
    if category:
        where += f" AND {alias}.category_id = %s"
    return where


@lru_cache(maxsize=8)
def _list_sql(*, moderator: bool, category: bool) -> str:
    where = _where(moderator=moderator, category=category, alias="t")
    # The total for the pager is an uncorrelated subquery: counted once, beside the page's rows.
    total = _count_sql(moderator=moderator, category=category, alias="n")
    # Table names and fixed clauses only: every value is a parameter.
    return (
        "SELECT t.id, t.kind, t.title, t.is_pinned, t.is_locked, t.is_hidden,"  # noqa: S608
        " t.is_answered, t.last_activity_at, t.comment_count, t.comment_seq, t.author_id,"
        " c.name, u.name, m.status,"
        f" r.last_number, ({total})"
        f" FROM {Thread._meta.db_table} t"
        f" INNER JOIN {Category._meta.db_table} c ON c.id = t.category_id"
        f" LEFT JOIN {Membership._meta.db_table} m ON m.id = t.author_id"
        f" LEFT JOIN {User._meta.db_table} u ON u.id = m.user_id"
        f" LEFT JOIN {ThreadRead._meta.db_table} r ON r.thread_id = t.id AND r.member_id = %s"
        f"{where} ORDER BY t.is_pinned DESC, t.last_activity_at DESC, t.id DESC"
        " LIMIT %s OFFSET %s"
    )


@lru_cache(maxsize=8)
def _count_sql(*, moderator: bool, category: bool, alias: str = "t") -> str:
    where = _where(moderator=moderator, category=category, alias=alias)
    return f"SELECT COUNT(*) FROM {Thread._meta.db_table} {alias}{where}"  # noqa: S608 - as above


def _scope(member: Membership, category_id: int | None) -> list[Any]:
    scope: list[Any] = [member.network_id]
    if category_id is not None:
        scope.append(category_id)
    return scope


def thread_rows(
    member: Membership,
    category_id: int | None,
    *,
    moderator: bool,
    limit: int,
    offset: int,
) -> list[tuple[Any, ...]]:
    """A page of the thread list's rows; each ends with the size of the whole list."""
    scope = _scope(member, category_id)
    sql = _list_sql(moderator=moderator, category=category_id is not None)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*scope, member.pk, *scope, limit, offset])
        return cursor.fetchall()


def thread_count(member: Membership, category_id: int | None, *, moderator: bool) -> int:
    """How many threads the list holds."""
    sql = _count_sql(moderator=moderator, category=category_id is not None)
    with connection.cursor() as cursor:
        cursor.execute(sql, _scope(member, category_id))
        return int(cursor.fetchone()[0])


def own_stamps(thread: Thread, member: Membership) -> set[tuple[int | None, str]]:
    """The (comment id, stamp) pairs the member gave in the thread; None: on the thread itself.

    Read on every view of a thread page, so written by hand (the ORM's query building costs
    several times the database's work)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT comment_id, stamp FROM boards_reaction"
            " WHERE network_id = %s AND thread_id = %s AND member_id = %s",
            [member.network_id, thread.pk, member.pk],
        )
        return set(cursor.fetchall())
