"""Notifications and their preferences (see privacy/registry.py)."""

from __future__ import annotations

from tsunagu.privacy.registry import ALL, Erase, Rule, register

register(
    Rule(
        "notify.Notification",
        owner="recipient",
        kind="notifications",
        # Without the text: it quotes what others wrote.
        export=("network_id", "kind", "url", "created_at", "read_at"),
        erase=Erase.DELETE,
    ),
    Rule(
        "notify.Notification",
        owner="actor",
        erase=Erase.DELETE,
        why="other members' notifications of what the person did: they carry the person's name",
    ),
    Rule(
        "notify.NotificationPreference",
        owner="user",
        kind="notification_preferences",
        export=ALL,
        erase=Erase.DELETE,
    ),
)
