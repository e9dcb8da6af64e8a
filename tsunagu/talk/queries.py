"""The talk rooms' hand-written statements, portable between PostgreSQL and SQLite.

Every talk page starts with one of them (the ORM's queries cost several times the database's
work). They restate the rules of access.py and must agree with them: access.places_of() and
access.filter_rooms_for(). They are not read through the scoped manager; each scopes itself.
"""

from __future__ import annotations

from django.db.models.query import RawQuerySet

from tsunagu.tenancy.models import Membership

from .models import MANAGED_KINDS, Room, RoomKind

# What a room's title needs when it has no name (see access.title_of()): who opened a
# conversation with the office, and the other person of a direct message. %s: the office,
# direct, the member.
TITLE_COLUMNS = (
    "(SELECT u.name FROM tenancy_membership c INNER JOIN accounts_user u ON u.id = c.user_id"
    " WHERE c.id = r.created_by_id AND r.kind = %s) AS owner_name,"
    " (SELECT u.name FROM talk_roommember o INNER JOIN tenancy_membership om ON om.id = o.member_id"
    " INNER JOIN accounts_user u ON u.id = om.user_id WHERE o.room_id = r.id AND r.kind = %s"
    " AND r.name = '' AND o.member_id <> %s ORDER BY o.id LIMIT 1) AS other_name"
)


def _counted_places(member: Membership) -> tuple[bool, bool]:
    """The values of ``via_role`` a place may have to count (access.places_of() in SQL)."""
    return (False, member.is_operator)


# Constants only: every value is a parameter.
LIST_SQL = (
    "SELECT r.*, p.id AS place_id, p.last_read_seq AS place_read_seq, "  # noqa: S608
    + TITLE_COLUMNS
    + " FROM talk_room r LEFT OUTER JOIN talk_roommember p ON p.room_id = r.id AND p.member_id = %s"
    " AND p.via_role IN (%s, %s)"
    " WHERE r.network_id = %s AND r.is_archived = %s"
    " AND (p.id IS NOT NULL OR r.kind IN (%s, %s, %s, %s, %s))"
    " ORDER BY CASE WHEN p.id IS NULL THEN 1 ELSE 0 END, CASE WHEN p.id IS NULL THEN r.name END,"
    " CASE WHEN p.id IS NOT NULL THEN r.last_message_at END DESC, r.id"
)


def listed_rooms(member: Membership, kinds: list[str]) -> list[Room]:
    """The member's own rooms and the network's rooms of ``kinds`` (access.visible_kinds(), those
    of MANAGED_KINDS), not archived, as access.list_rooms_for() orders them; each carries
    ``place_id`` (None for a room the member is not in) and ``place_read_seq``."""
    kinds = [*kinds, *[kinds[0]] * (len(MANAGED_KINDS) - len(kinds))]  # as many as LIST_SQL's
    params = [RoomKind.OFFICE, RoomKind.DIRECT, member.pk, member.pk]
    params += [*_counted_places(member), member.network_id, False]
    return list(Room.objects.raw(LIST_SQL, [*params, *kinds]))


# Constants only: every value is a parameter.
ROOM_SQL = (
    "SELECT r.*, p.id AS place_id, p.last_read_seq AS place_read_seq, "  # noqa: S608
    + TITLE_COLUMNS
    + " FROM talk_room r LEFT OUTER JOIN talk_roommember p ON p.room_id = r.id AND p.member_id = %s"
    " AND p.via_role IN (%s, %s)"
    " WHERE r.network_id = %s AND r.id = %s"
)


def reader_room(member: Membership, pk: int) -> Room | None:
    """The room with the member's place in it (``place_id``, ``place_read_seq``) and what its
    title needs, or None (access.access_room(), which checks the member may see it)."""
    params = [RoomKind.OFFICE, RoomKind.DIRECT, member.pk, member.pk]
    params += [*_counted_places(member), member.network_id, pk]
    found = list(RawQuerySet(ROOM_SQL, model=Room, params=tuple(params)))
    return found[0] if found else None
