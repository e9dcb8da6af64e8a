"""The events' hand-written statements, portable between PostgreSQL and SQLite.

Built by the ORM, the event page's and the event list's queries cost several to ten times the
database's work in CPU. Which events a member may see is not restated here: each statement takes
the rule's SQL form from access.visible_events(), made beside its ORM twin from one definition,
and scopes itself to the member's network (they are not read through the scoped manager).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models.query import RawQuerySet

from tsunagu.core.sql import Rule, placeholders
from tsunagu.tenancy.models import Membership

from .models import SEATED, Event, RegistrationStatus

# The event with the reader's state; ``{visible}``: access.visible_events() (the rules of
# access.access_event()).
READER_EVENT_SQL = (
    "SELECT e.*,"
    " EXISTS(SELECT 1 FROM events_organiser o WHERE o.event_id = e.id AND o.membership_id = %s)"
    " AS i_organise,"
    " (SELECT COUNT(*) FROM events_registration r WHERE r.event_id = e.id"
    " AND r.status IN (%s, %s, %s)) AS seats,"
    " (SELECT COUNT(*) FROM events_registration r WHERE r.event_id = e.id AND r.status = %s)"
    " AS waiting,"
    " (SELECT r.id FROM events_registration r WHERE r.event_id = e.id AND r.user_id = %s)"
    " AS my_registration_id,"
    " (SELECT r.status FROM events_registration r WHERE r.event_id = e.id AND r.user_id = %s)"
    " AS my_status,"
    " EXISTS(SELECT 1 FROM events_feedback f WHERE f.event_id = e.id AND f.user_id = %s) AS rated"
    " FROM events_event e WHERE e.network_id = %s AND e.id = %s AND {visible}"
)


def reader_event(member: Membership, pk: int, visible: Rule) -> Event | None:
    """The event with what its page needs of the reader and of the registrations, or None
    (access.access_event_for_reader()); ``visible``: access.visible_events(member).rule()."""
    user_id = member.user_id
    params = [
        member.pk, *SEATED, RegistrationStatus.WAITLISTED, user_id, user_id, user_id,
        member.network_id, pk, *visible.params,
    ]  # fmt: skip
    sql = READER_EVENT_SQL.format(visible=visible.sql)
    found = list(RawQuerySet(sql, model=Event, params=tuple(params)))
    return found[0] if found else None


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
    audiences: list[str] | None,
) -> list[tuple[Any, ...]]:
    """The (id, updated_at, created_at, called_off_at) of ``limit`` events of the list from
    ``offset`` (listing.read_events_page()); ``visible``: access.visible_events(member).rule(), the
    member's own list, unless ``audiences`` names the audiences of a page shared by their
    members."""
    if audiences is not None:
        audience_rule = f"e.audience IN ({placeholders(audiences)})" if audiences else "FALSE"
        params: list[Any] = [member.network_id, *audiences]
    else:
        audience_rule = visible.sql
        params = [member.network_id, *visible.params]
    where = [
        "e.network_id = %s",
        audience_rule,
        "e.ends_at <= %s" if past else "e.ends_at > %s",
    ]
    params.append(now)
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
    # Fixed fragments and placeholders only: every value goes in params.
    select = "SELECT e.id, e.updated_at, e.created_at, e.called_off_at FROM events_event e WHERE "
    sql = select + " AND ".join(where) + f" ORDER BY {order} LIMIT %s OFFSET %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        return cursor.fetchall()


# The seats of a page of events; the ids come from a list read with the rules above.
SEATS_SQL = (
    "SELECT event_id, SUM(CASE WHEN status IN (%s, %s, %s) THEN 1 ELSE 0 END),"
    " MAX(CASE WHEN user_id = %s THEN status END) FROM events_registration"
    " WHERE network_id = %s AND event_id IN ({ids}) GROUP BY event_id"
)


def seats_and_mine(
    member: Membership, event_ids: list[int]
) -> tuple[dict[int, int], dict[int, str]]:
    """Seats taken per event, and the member's own registration status where they have one."""
    if not event_ids:
        return {}, {}
    marks = ", ".join(["%s"] * len(event_ids))
    sql = SEATS_SQL.replace("{ids}", marks)  # placeholders only
    taken: dict[int, int] = {}
    mine: dict[int, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*SEATED, member.user_id, member.network_id, *event_ids])
        for event_id, seated, status in cursor.fetchall():
            taken[event_id] = int(seated or 0)
            if status:
                mine[event_id] = status
    return taken, mine
