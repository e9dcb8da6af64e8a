"""Links, opt-ins, disclosure records and shared rooms (see privacy/registry.py)."""

from __future__ import annotations

from tsunagu.privacy.registry import Erase, Rule, register

register(
    Rule(
        "collab.Link",
        owner="requested_by",
        erase=Erase.KEEP,
        why="the operator who asked for a link between networks; the account it names is emptied",
    ),
    Rule(
        "collab.CoHost",
        owner="invited_by",
        erase=Erase.KEEP,
        why="the operator who invited a linked network to co-host an event; the account it "
        "names is emptied",
    ),
    Rule(
        "collab.OptIn",
        owner="membership",
        kind="linked_network_consents",
        export=("link__network__name", "link__partner__name", "opted_in_at", "opted_out_at"),
        erase=Erase.KEEP,
        why="the consent each disclosure record refers to stays as its proof; it names only "
        "the ended membership",
        order=60,
    ),
    Rule(
        "collab.Disclosure",
        owner="membership",
        kind="shown_to_linked_networks",
        export=("viewer_network__name", "day", "fields", "views"),
        erase=Erase.KEEP,
        why="the record of provision to a third party (APPI Art. 29) is kept for its period "
        "(three years); it names only the ended membership",
    ),
)
register(
    Rule(
        "collab.SharedRoom",
        owner="created_by",
        erase=Erase.COUNT,
        why="the operator who opened a room shared with a linked network; the room stays theirs "
        "and the other side's, without naming them",
    ),
    Rule(
        "collab.SharedRoomMember",
        owner="membership",
        kind="shared_rooms_joined",
        export=("room__name", "joined_at", "left_at"),
        erase=Erase.KEEP,
        why="joining a room is the consent each disclosure record of the member's name there "
        "refers to, and stays as its proof; it names only the ended membership",
    ),
    Rule(
        "collab.SharedMessage",
        owner="sender",
        kind="shared_room_messages",
        export=("room__name", "body", "created_at"),
        erase=Erase.TOMBSTONE,
        blank=("body",),
    ),
)
