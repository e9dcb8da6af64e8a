"""The profiles' hand-written statements, portable between PostgreSQL and SQLite.

The directory's most read parts: an ORM query costs several times the database's work in CPU.
They are not read through the scoped manager; each scopes itself to the member's network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, connections
from django.db.models import QuerySet
from django.db.models.query import RawQuerySet

from tsunagu.core.sql import aware
from tsunagu.tenancy.models import Membership, Status

from .models import DirectoryEntry, Profile

# The reader's own profile, as far as the directory's page needs it (views.directory()).
MY_PROFILE_SQL = (
    "SELECT membership_id, network_id, current_employer, employer_confirmed_at"
    " FROM profiles_profile WHERE membership_id = %s AND network_id = %s"
)


def my_profile(member: Membership) -> Profile | None:
    """The member's own profile with only the fields above, or None before they have one."""
    mine = RawQuerySet(MY_PROFILE_SQL, model=Profile, params=(member.pk, member.network_id))
    return next(iter(mine), None)


@dataclass(frozen=True)
class Listed:
    """What a card's version needs (see profiles.views): enough to know whether it is drawn
    already."""

    pk: int
    updated_at: datetime
    role: str
    name: str


# The directory's most read part: plain SQL, as an ORM query costs several times the database's
# work in CPU. Its rules are directory.listed_profiles()'s and must agree with them: this
# network, active members only.
LISTED_SQL = (
    "SELECT p.membership_id, p.updated_at, m.role, p.display_name, u.name"
    " FROM profiles_profile p JOIN tenancy_membership m ON m.id = p.membership_id"
    " JOIN accounts_user u ON u.id = m.user_id"
    " WHERE p.network_id = %s AND m.network_id = %s AND m.status = %s"
    " AND p.membership_id IN ({ids})"
)


def listed_versions(network_id: int, ids: list[int]) -> list[Listed]:
    """What the cards of a page of entries are drawn from, in the entries' order, for members
    still active only; listed_profiles() reads the whole profiles of the cards to draw."""
    if not ids:
        return []
    sql = LISTED_SQL.replace("{ids}", ", ".join(["%s"] * len(ids)))  # placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, [network_id, network_id, Status.ACTIVE, *ids])
        rows = cursor.fetchall()
    by_id = {
        pk: Listed(pk, aware(updated_at), role, display_name or name)
        for pk, updated_at, role, display_name, name in rows
    }
    return [by_id[pk] for pk in ids if pk in by_id]


def within_window(
    network_id: int,
    entries: QuerySet[DirectoryEntry],
    order: tuple[str, ...],
    offset: int,
    limit: int,
    *,
    size: int,
) -> list[int]:
    """The matches among the first ``size`` rows in sort order, one page of them.

    The window is a subquery with its own ``LIMIT``, which the database cannot merge into the
    outer query: it reads the sort index for those rows and tests only them.
    """
    window = DirectoryEntry.objects.filter(network_id=network_id).order_by(*order)[:size]
    window_sql, window_params = window.query.sql_with_params()
    compiler = entries.query.get_compiler(using=entries.db)
    where_sql, where_params = compiler.compile(entries.query.where)
    connection = connections[entries.db]
    table = connection.ops.quote_name(DirectoryEntry._meta.db_table)
    columns = ", ".join(
        f"{table}.{connection.ops.quote_name(name.lstrip('-'))}"
        f"{' DESC' if name.startswith('-') else ''}"
        for name in order
    )
    sql = (
        f"SELECT {table}.profile_id FROM ({window_sql}) {table} "  # noqa: S608 - our names
        f"WHERE {where_sql or 'TRUE'} ORDER BY {columns} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*window_params, *where_params, limit, offset])
        return [row[0] for row in cursor.fetchall()]
