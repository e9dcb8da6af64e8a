"""The events' hand-written statements, portable between PostgreSQL and SQLite.

Built by the ORM, the event page's and the event list's queries cost several to ten times the
database's work in CPU. Which events a member may see is not restated here: each statement takes
the rule's SQL form from access.VisibleEvents, made beside its ORM twin from one definition.
They are not read through the scoped manager: each first checks that the active scope is the
network it reads (core.sql.in_scope()), so a statement handed another network's member or ids
raises as the scoped manager would. Tables and columns are named from the models; every value
is a parameter. Each has a parity test against its ORM twin (tests/test_statement_parity.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from tsunagu.collab.models import CoHost
from tsunagu.core.sql import Rule, aware, columns, in_scope, model_from_row, placeholders
from tsunagu.tenancy.models import Membership

from .models import SEATED, Event, Organiser, Registration, RegistrationStatus

_EVENT = Event._meta.db_table
_ORGANISER = Organiser._meta.db_table
_REGISTRATION = Registration._meta.db_table
_O_EVENT = Organiser._meta.get_field("event").column
_O_MEMBER = Organiser._meta.get_field("membership").column
_R_EVENT = Registration._meta.get_field("event").column
_R_USER = Registration._meta.get_field("user").column
_R_NETWORK = Registration._meta.get_field("network").column
_E_NETWORK = Event._meta.get_field("network").column


# The networks co-hosting an event with places kept for their members (collab.CoHost.quota):
# the event's capacity counts everyone else (actions.seats_taken(), its ORM twin).
_OWN_POOLS = (
    f"SELECT c.{CoHost._meta.get_field('partner').column} FROM {CoHost._meta.db_table} c"  # noqa: S608
    f" WHERE c.{CoHost._meta.get_field('event').column} = e.id AND c.quota IS NOT NULL"
)


@dataclass(frozen=True)
class ReaderEvent:
    """An event with what its page needs of the reader and of the registrations."""

    event: Event
    i_organise: bool
    seats: int  # places taken (access.SEATED statuses)
    waiting: int  # on the waiting list
    mine: Registration | None  # the reader's registration, None if they never applied


# The event with the reader's state; ``{visible}``: access.VisibleEvents.rule() (the rules of
# access.access_event()).
READER_EVENT_SQL = (
    f"SELECT {columns(Event, 'e')},"  # noqa: S608 - names from the models, values are parameters
    f" EXISTS(SELECT 1 FROM {_ORGANISER} o WHERE o.{_O_EVENT} = e.id AND o.{_O_MEMBER} = %s),"
    f" (SELECT COUNT(*) FROM {_REGISTRATION} r WHERE r.{_R_EVENT} = e.id"
    f" AND r.status IN ({placeholders(SEATED)}) AND r.{_R_NETWORK} NOT IN ({_OWN_POOLS})),"
    f" (SELECT COUNT(*) FROM {_REGISTRATION} r WHERE r.{_R_EVENT} = e.id AND r.status = %s),"
    f" r.id, r.status"
    f" FROM {_EVENT} e LEFT JOIN {_REGISTRATION} r ON r.{_R_EVENT} = e.id AND r.{_R_USER} = %s"
    f" WHERE e.{_E_NETWORK} = %s AND e.id = %s AND {{visible}}"
)
_EVENT_COLUMNS = len(Event._meta.concrete_fields)


def reader_event(member: Membership, pk: int, visible: Rule) -> ReaderEvent | None:
    """The event with what its page needs of the reader and of the registrations, or None
    (access.access_event_for_reader()); ``visible``: access.visible_events(member).rule()."""
    in_scope(member.network_id)
    params = [
        member.pk, *SEATED, RegistrationStatus.WAITLISTED, member.user_id,
        member.network_id, pk, *visible.params,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(READER_EVENT_SQL.replace("{visible}", visible.sql), params)
        row = cursor.fetchone()
    if row is None:
        return None
    event = model_from_row(Event, row[:_EVENT_COLUMNS])
    organises, seats, waiting, registration_id, status = row[_EVENT_COLUMNS:]
    mine = (
        Registration(
            pk=registration_id,
            network_id=member.network_id,
            event_id=event.pk,
            user_id=member.user_id,
            status=status,
        )
        if registration_id is not None
        else None
    )
    return ReaderEvent(event, bool(organises), int(seats), int(waiting), mine)


@dataclass(frozen=True)
class ListedRow:
    """What keys an event's row of the list (listing.ListedEvent)."""

    pk: int
    updated_at: datetime
    created_at: datetime
    called_off_at: datetime | None


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def event_page_rows(
    member: Membership,
    *,
    visible: Rule,
    now: datetime,
    past: bool,
    category: str,
    words: list[str],
    offset: int,
    limit: int,
) -> list[ListedRow]:
    """``limit`` events of the list from ``offset`` (listing.read_events_page()); ``visible``:
    an access.VisibleEvents rule, the member's own list or the audiences of a page shared by
    their members."""
    in_scope(member.network_id)
    where = [f"e.{_E_NETWORK} = %s", visible.sql, "e.ends_at <= %s" if past else "e.ends_at > %s"]
    params: list[Any] = [member.network_id, *visible.params, now]
    if category:
        where.append("e.category = %s")
        params.append(category)
    for word in words:
        where.append(
            "(UPPER(e.title) LIKE UPPER(%s) ESCAPE '\\' OR UPPER(e.description) LIKE UPPER(%s)"
            " ESCAPE '\\' OR UPPER(e.venue) LIKE UPPER(%s) ESCAPE '\\')"
        )
        params += [_like(word)] * 3
    order = "e.starts_at DESC, e.id DESC" if past else "e.starts_at, e.id"
    # Fixed fragments, names from the model and placeholders only: every value goes in params.
    select = f"SELECT e.id, e.updated_at, e.created_at, e.called_off_at FROM {_EVENT} e WHERE "  # noqa: S608
    sql = select + " AND ".join(where) + f" ORDER BY {order} LIMIT %s OFFSET %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        return [
            ListedRow(pk, aware(updated), aware(created), aware(off) if off is not None else None)
            for pk, updated, created, off in cursor.fetchall()
        ]


@dataclass(frozen=True)
class Seats:
    """An event's places taken, and the reader's own registration status if they applied."""

    taken: int
    mine: str | None


# The seats of a page of the network's events, per registering network (the members of networks
# co-hosting an event register in their own network); the ids come from a list read with the
# rules above, and only the scope network's events are read.
SEATS_SQL = (
    f"SELECT r.{_R_EVENT}, r.{_R_NETWORK},"  # noqa: S608
    f" SUM(CASE WHEN r.status IN ({placeholders(SEATED)}) THEN 1 ELSE 0 END),"
    f" MAX(CASE WHEN r.{_R_USER} = %s AND r.{_R_NETWORK} = %s THEN r.status END)"
    f" FROM {_REGISTRATION} r JOIN {_EVENT} e ON e.id = r.{_R_EVENT}"
    f" WHERE e.{_E_NETWORK} = %s AND r.{_R_EVENT} IN ({{ids}})"
    f" GROUP BY r.{_R_EVENT}, r.{_R_NETWORK}"
)


def seats_and_mine(member: Membership, event_ids: list[int]) -> dict[int, Seats]:
    """Per event of ``event_ids`` that has registrations: the places its capacity counts (as
    ``actions.seats_taken``: co-hosts' members too, but not those of a co-host with places of its
    own) and the member's own registration status (events without any registration are left
    out). One statement, and one more only when another network's members registered."""
    in_scope(member.network_id)
    if not event_ids:
        return {}
    sql = SEATS_SQL.replace("{ids}", placeholders(event_ids))
    with connection.cursor() as cursor:
        network = member.network_id
        cursor.execute(sql, [*SEATED, member.user_id, network, network, *event_ids])
        rows = cursor.fetchall()
    guests = {event_id for event_id, network_id, _s, _m in rows if network_id != member.network_id}
    apart = kept_apart(guests) if guests else {}
    taken: dict[int, int] = {}
    mine: dict[int, str | None] = {}
    for event_id, network_id, seated, status in rows:
        counted = network_id not in apart.get(event_id, ())
        taken[event_id] = taken.get(event_id, 0) + (int(seated or 0) if counted else 0)
        if status:
            mine[event_id] = status
    return {event_id: Seats(taken[event_id], mine.get(event_id)) for event_id in taken}


def kept_apart(event_ids: set[int]) -> dict[int, set[int]]:
    """Per event, the co-hosting networks whose members take places kept for them (collab)."""
    from tsunagu.collab.access import own_pool_partners_of

    return own_pool_partners_of(event_ids)
