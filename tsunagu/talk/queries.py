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
from html import unescape

from django.db import connection
from django.utils.html import strip_tags

from tsunagu.accounts.models import User
from tsunagu.core.sql import Rule, column, columns, in_scope, model_from_row
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.names import name_or_none

from .models import Message, Room, RoomKind, RoomMember

# What the room list shows of a message is a line of its text, cut by the page: the statement
# reads no more of its HTML than that line needs (a long link's address included).
EXCERPT_READ = 800


@dataclass(frozen=True)
class LastMessage:
    """The newest message a room's list shows: its number, its sender's name (None: 「退会した
    メンバー」, tenancy/names.py) and the start of its text (empty: files only)."""

    seq: int
    sender_name: str | None
    excerpt: str


@dataclass(frozen=True)
class ReaderRoom:
    """A room with the member's place in it (None when they hold none that counts), and what
    its title needs when it has no name (access.title_of()): who opened a conversation with the
    office (``owner_name``), and the other person of a direct message (``other_name``). In the
    room list (listed_rooms()), ``last``: the room's newest message shown to everyone (None for
    a room without one, and for the rooms the member may join)."""

    room: Room
    place: RoomMember | None
    owner_name: str | None
    other_name: str | None
    last: LastMessage | None = None


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


def excerpt(html: str) -> str:
    """The text of the start of a message's HTML on one line (a tag cut off at the end dropped);
    empty for a message of files alone."""
    if html.rfind("<") > html.rfind(">"):
        html = html[: html.rfind("<")]
    return " ".join(unescape(strip_tags(html)).split())


@lru_cache(maxsize=1)
def _last_message_sql() -> tuple[str, str]:
    """The columns and joins of ReaderRoom.last: the newest message of the room's timeline
    (replies stay in their thread) that is neither deleted nor hidden, only in the rooms where
    the member holds a place; its sender's name and membership status (names.name_or_none()).
    Uses index: talk_message_timeline (room, seq) where thread_root is null, read backwards."""
    messages, members, users = (
        Message._meta.db_table,
        Membership._meta.db_table,
        User._meta.db_table,
    )
    newest = (
        f"SELECT x.id FROM {messages} x WHERE x.{column(Message, 'room')} = r.id"  # noqa: S608
        f" AND x.{column(Message, 'thread_root')} IS NULL"
        f" AND x.{column(Message, 'deleted_at')} IS NULL AND NOT x.{column(Message, 'is_hidden')}"
        f" ORDER BY x.{column(Message, 'seq')} DESC LIMIT 1"
    )
    html = f"SUBSTR(lm.{column(Message, 'body_html')}, 1, {EXCERPT_READ})"
    selected = (
        f", lm.{column(Message, 'seq')}, {html}, lu.{column(User, 'name')},"
        f" ls.{column(Membership, 'status')}"
    )
    joins = (
        f" LEFT OUTER JOIN {messages} lm ON p.id IS NOT NULL AND lm.id = ({newest})"
        f" LEFT OUTER JOIN {members} ls ON ls.id = lm.{column(Message, 'sender')}"
        f" LEFT OUTER JOIN {users} lu ON lu.id = ls.{column(Membership, 'user')}"
    )
    return selected, joins


@lru_cache(maxsize=8)
def _rooms_sql(places: str, where: str, order: str, last: bool) -> str:
    selected, joins = _last_message_sql() if last else ("", "")
    return (
        f"SELECT {columns(Room, 'r')}, {columns(RoomMember, 'p')}, {_title_columns()}{selected}"  # noqa: S608 - names and rules
        f" FROM {Room._meta.db_table} r LEFT OUTER JOIN {RoomMember._meta.db_table} p"
        f" ON p.{column(RoomMember, 'room')} = r.id AND {places}{joins} WHERE {where}{order}"
    )


def _reader_rooms(
    member: Membership, places: Rule, where: Rule, order: str, last: bool = False
) -> list[ReaderRoom]:
    params = [RoomKind.OFFICE, RoomKind.DIRECT, member.pk, *places.params, *where.params]
    with connection.cursor() as cursor:
        cursor.execute(_rooms_sql(places.sql, where.sql, order, last), params)
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
        newest = None
        if last and row[titles + 2] is not None:
            seq, html, name, status = row[titles + 2 : titles + 6]
            newest = LastMessage(int(seq), name_or_none(name, status), excerpt(html))
        rooms.append(ReaderRoom(room, place, owner_name, other_name, newest))
    return rooms


def listed_rooms(member: Membership, places: Rule, visible: Rule) -> list[ReaderRoom]:
    """The rooms of the member's list (access.list_rooms_for()), not archived: theirs first,
    newest message first, each with its newest message shown (ReaderRoom.last), then those
    they may join by name. ``places``: their places that count
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
    return _reader_rooms(member, places, where, order, last=True)


def reader_room(member: Membership, pk: int, places: Rule) -> ReaderRoom | None:
    """The room of ``pk`` in the member's network with their place in it (``places``:
    access.CountedPlaces over ``p``), or None. Whether they may read it is access.access_room()'s
    check_view_permission()."""
    in_scope(member.network_id)
    where = Rule(f"r.{column(Room, 'network')} = %s AND r.id = %s", (member.network_id, pk))
    found = _reader_rooms(member, places, where, "")
    return found[0] if found else None
