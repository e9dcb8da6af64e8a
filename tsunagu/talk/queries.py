"""The talk rooms' hand-written statements, portable between PostgreSQL and SQLite.

Every talk page starts with one of them (the ORM's queries cost several times the database's
work). The rules they keep are not restated here: each takes the SQL form of access.py's
CountedPlaces (access.places_of()) and VisibleRooms (access.filter_rooms_for()), made beside their
ORM twins from one definition. Each asserts first that the active scope is the network it reads
(core.sql.in_scope()), since none is read through the scoped manager. Table and column names come
from the models; every value is a parameter. Results are typed rows
(tests/test_statement_parity.py holds them to the ORM).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db import connection

from tsunagu.accounts.models import User
from tsunagu.core.sql import Rule, column, columns, in_scope, model_from_row
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.names import name_or_none

from .models import Room, RoomKind, RoomMember


@dataclass(frozen=True)
class ReaderRoom:
    """A room with the member's place in it (None when they hold none that counts), and what
    its title needs when it has no name (access.title_of()): who opened a conversation with the
    office (``owner_name``), and the other person of a direct message (``other_name``). In the
    room list (listed_rooms()), ``excerpt_name``: the name of whoever wrote the message the room
    shows (``Room.excerpt_*``; None: 「退会したメンバー」, tenancy/names.py)."""

    room: Room
    place: RoomMember | None
    owner_name: str | None
    other_name: str | None
    excerpt_name: str | None = None


@lru_cache(maxsize=1)
def _title_columns() -> str:
    """The two names of ReaderRoom; %s: the office, direct, the member."""
    members, users = Membership._meta.db_table, User._meta.db_table
    places = RoomMember._meta.db_table
    user_of, name = column(Membership, "user"), column(User, "name")
    room_of, member_of = column(RoomMember, "room"), column(RoomMember, "member")
    return (
        f"(SELECT u.{name} FROM {members} c INNER JOIN {users} u ON u.id = c.{user_of}"  # noqa: S608
        f" WHERE c.id = r.{column(Room, 'created_by')} AND r.{column(Room, 'kind')} = %s),"
        f" (SELECT u.{name} FROM {places} o INNER JOIN {members} om ON om.id = o.{member_of}"
        f" INNER JOIN {users} u ON u.id = om.{user_of} WHERE o.{room_of} = r.id"
        f" AND r.{column(Room, 'kind')} = %s AND r.{column(Room, 'name')} = ''"
        f" AND o.{member_of} <> %s ORDER BY o.id LIMIT 1)"
    )


@lru_cache(maxsize=1)
def _excerpt_sql() -> tuple[str, str]:
    """The columns and joins of ReaderRoom.excerpt_name: the name and membership status of the
    sender of the message stored on the room (names.name_or_none()), for the rooms where the
    member holds a place. Uses the primary keys of the membership and the account."""
    members, users = Membership._meta.db_table, User._meta.db_table
    selected = f", eu.{column(User, 'name')}, es.{column(Membership, 'status')}"
    joins = (
        f" LEFT OUTER JOIN {members} es ON p.id IS NOT NULL"
        f" AND es.id = r.{column(Room, 'excerpt_sender')}"
        f" LEFT OUTER JOIN {users} eu ON eu.id = es.{column(Membership, 'user')}"
    )
    return selected, joins


@lru_cache(maxsize=8)
def _rooms_sql(places: str, where: str, order: str, excerpt: bool) -> str:
    selected, joins = _excerpt_sql() if excerpt else ("", "")
    return (
        f"SELECT {columns(Room, 'r')}, {columns(RoomMember, 'p')}, {_title_columns()}{selected}"  # noqa: S608 - names and rules
        f" FROM {Room._meta.db_table} r LEFT OUTER JOIN {RoomMember._meta.db_table} p"
        f" ON p.{column(RoomMember, 'room')} = r.id AND {places}{joins} WHERE {where}{order}"
    )


def _reader_rooms(
    member: Membership, places: Rule, where: Rule, order: str, excerpt: bool = False
) -> list[ReaderRoom]:
    params = [RoomKind.OFFICE, RoomKind.DIRECT, member.pk, *places.params, *where.params]
    with connection.cursor() as cursor:
        cursor.execute(_rooms_sql(places.sql, where.sql, order, excerpt), params)
        found = cursor.fetchall()
    rooms = []
    after = len(Room._meta.concrete_fields)
    titles = after + len(RoomMember._meta.concrete_fields)
    for row in found:
        room = model_from_row(Room, row)
        place = None
        if row[after] is not None:
            place = model_from_row(RoomMember, row, after)
            place.room = room
        owner_name, other_name = row[titles : titles + 2]
        excerpt_name = None
        if excerpt and place is not None:
            excerpt_name = name_or_none(*row[titles + 2 : titles + 4])
        rooms.append(ReaderRoom(room, place, owner_name, other_name, excerpt_name))
    return rooms


def listed_rooms(member: Membership, places: Rule, visible: Rule) -> list[ReaderRoom]:
    """The rooms of the member's list (access.list_rooms_for()), not archived: theirs first,
    newest message first, with the name of who wrote the message each shows
    (ReaderRoom.excerpt_name), then those they may join by name. ``places``: their places that count
    (access.CountedPlaces over ``p``); ``visible``: the rooms they may see
    (access.VisibleRooms over ``r``)."""
    in_scope(member.network_id)
    archived = f"r.{column(Room, 'is_archived')}"
    where = Rule(f"{visible.sql} AND NOT {archived}", visible.params)
    name, last = f"r.{column(Room, 'name')}", f"r.{column(Room, 'last_message_at')}"
    order = (
        " ORDER BY CASE WHEN p.id IS NULL THEN 1 ELSE 0 END, CASE WHEN p.id IS NULL THEN"
        f" {name} END, CASE WHEN p.id IS NOT NULL THEN {last} END DESC, r.id"
    )
    return _reader_rooms(member, places, where, order, excerpt=True)


def reader_room(member: Membership, pk: int, places: Rule) -> ReaderRoom | None:
    """The room of ``pk`` in the member's network with their place in it (``places``:
    access.CountedPlaces over ``p``), or None. Whether they may read it is access.access_room()'s
    check_view_permission()."""
    in_scope(member.network_id)
    where = Rule(f"r.{column(Room, 'network')} = %s AND r.id = %s", (member.network_id, pk))
    found = _reader_rooms(member, places, where, "")
    return found[0] if found else None
