"""Carrying out an account's erasure through the registry (registry.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Context:
    user_id: int
    membership_ids: list[int]
    network_ids: list[int]
    keep_posts: bool  # posts stay as 「退会したメンバー」's, or become tombstones
    tombstone: str  # the text a tombstoned title shows
    secrets: list[str]  # the person's names and addresses, pseudonymised wherever found
