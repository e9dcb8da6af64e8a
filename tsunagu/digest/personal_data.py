"""Digests (see privacy/registry.py)."""

from __future__ import annotations

from tsunagu.privacy.registry import ALL, Erase, Rule, register

register(
    Rule(
        "digest.DigestPreference",
        owner="user",
        kind="digest_preferences",
        export=ALL,
        erase=Erase.DELETE,
    ),
    Rule("digest.DigestSent", owner="user", erase=Erase.DELETE, why="which digests were sent"),
)
