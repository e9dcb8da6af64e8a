"""Memberships (see privacy/registry.py)."""

from __future__ import annotations

from tsunagu.privacy.registry import Erase, Rule, register

register(
    Rule(
        "tenancy.Membership",
        owner="user",
        kind="memberships",
        export=(
            "network__name",
            "network__slug",
            "role",
            "status",
            "created_at",
            "status_changed_at",
            "last_seen_at",
        ),
        erase=Erase.KEEP,
        why="the membership ends (no longer a member) and stays, so that what the person wrote "
        "is shown as by 「退会したメンバー」",
    ),
)
