"""What is each reader's own in a room's shared messages (talk/pages.py): the resolvers of their
holes (core/shared.py)."""

from __future__ import annotations

from tsunagu.core.shared import Block, Resolver

from .forms import new_client_id


def messages(block: Block, *, csrf: str, member_id: int) -> dict[str, Resolver]:
    """The reader's token; their own messages (``own``: the class that marks them, the edit
    and delete links); the stamps they gave (``mine``: the class, ``pressed``: aria-pressed), by
    message id and the stamp's position under it."""
    senders: dict[int, int | None] = block.facts["senders"]
    givers: dict[tuple[int, int], frozenset[int]] = block.facts["givers"]

    def gave(message: str, position: str) -> bool:
        return member_id in givers.get((int(message), int(position)), ())

    return {
        "csrf": lambda: csrf,
        "own": lambda message: senders.get(int(message)) == member_id,
        "mine": lambda message, position: " stamp--mine" if gave(message, position) else "",
        "pressed": lambda message, position: "true" if gave(message, position) else "false",
    }


def room_page(
    block: Block, *, csrf: str, member_id: int, can_post: bool, can_join: bool, can_leave: bool
) -> dict[str, Resolver]:
    """The reader's parts of a room page (``talk/_room_page.html``): those of its messages, and
    the forms under them: the compose form with a client id of its own (a form sent twice is
    stored once), or the join form, or why there is neither; the leave form."""
    return {
        **messages(block, csrf=csrf, member_id=member_id),
        "client_id": new_client_id,
        "compose": lambda: can_post,
        "join": lambda: not can_post and can_join,
        "note": lambda: not can_post and not can_join,
        "leave": lambda: can_leave,
    }
