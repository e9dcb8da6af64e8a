"""The profiles' hand-written statements, portable between PostgreSQL and SQLite.

The directory's most read parts: an ORM query costs several times the database's work in CPU.
They are not read through the scoped manager: each first checks that the active scope is the
network it reads (core.sql.in_scope()), so a statement handed another network's ids raises as
the scoped manager would. Who is listed is access.ListedMembers, stated once for the ORM and for
these statements. Tables and columns are named from the models; every value is a parameter. Each
has a parity test against its ORM twin (tests/test_statement_parity.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, connections
from django.db.models import QuerySet
from django.db.models.query import RawQuerySet

from tsunagu.accounts.models import User
from tsunagu.core.sql import Rule, aware, in_scope, placeholders
from tsunagu.tenancy.models import Membership

from .models import DirectoryEntry, Profile

_PROFILE = Profile._meta.db_table
_MEMBERSHIP = Membership._meta.db_table
_USER = User._meta.db_table
_P_MEMBER = Profile._meta.get_field("membership").column
_P_NETWORK = Profile._meta.get_field("network").column
_M_USER = Membership._meta.get_field("user").column
_M_NETWORK = Membership._meta.get_field("network").column

# The reader's own profile, as far as the directory's page needs it (views.directory()). The
# ORM's query of the same costs about five times the CPU on every directory page.
MY_PROFILE_SQL = (
    f"SELECT {_P_MEMBER}, {_P_NETWORK}, current_employer, employer_confirmed_at"  # noqa: S608
    f" FROM {_PROFILE} WHERE {_P_MEMBER} = %s AND {_P_NETWORK} = %s"
)


def my_profile(member: Membership) -> Profile | None:
    """The member's own profile with only the fields above, or None before they have one."""
    in_scope(member.network_id)
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
# work in CPU. ``{listed}``: access.ListedMembers.rule(), the rule of
# directory.listed_profiles().
LISTED_SQL = (
    f"SELECT p.{_P_MEMBER}, p.updated_at, m.role, p.display_name, u.name"  # noqa: S608
    f" FROM {_PROFILE} p JOIN {_MEMBERSHIP} m ON m.id = p.{_P_MEMBER}"
    f" JOIN {_USER} u ON u.id = m.{_M_USER}"
    f" WHERE p.{_P_NETWORK} = %s AND m.{_M_NETWORK} = %s AND {{listed}}"
    f" AND p.{_P_MEMBER} IN ({{ids}})"
)


def listed_versions(network_id: int, ids: list[int], listed: Rule) -> list[Listed]:
    """What the cards of a page of entries are drawn from, in the entries' order, for the
    members ``listed`` keeps only (access.LISTED.rule()); listed_profiles() reads the whole
    profiles of the cards to draw."""
    in_scope(network_id)
    if not ids:
        return []
    sql = LISTED_SQL.replace("{listed}", listed.sql).replace("{ids}", placeholders(ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, [network_id, network_id, *listed.params, *ids])
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
    outer query: it reads the sort index for those rows and tests only them. Both the window
    and ``entries`` are the ORM's, compiled here; ``entries`` must be of ``network_id``.
    """
    in_scope(network_id)
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
        f"SELECT {table}.{connection.ops.quote_name(DirectoryEntry._meta.pk.column)}"  # noqa: S608
        f" FROM ({window_sql}) {table} "
        f"WHERE {where_sql or 'TRUE'} ORDER BY {columns} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*window_params, *where_params, limit, offset])
        return [row[0] for row in cursor.fetchall()]
