"""The home feed (see privacy/registry.py)."""

from __future__ import annotations

from tsunagu.privacy.registry import Erase, Rule, register

register(
    Rule("feed.Visit", owner="member", erase=Erase.DELETE, why="when the feed was last seen"),
    Rule("feed.Welcome", owner="newcomer", erase=Erase.DELETE, why="welcomes the person got"),
    Rule(
        "feed.Welcome",
        owner="member",
        kind="welcomes_given",
        export=("newcomer_id", "created_at"),
        erase=Erase.DELETE,
    ),
)
