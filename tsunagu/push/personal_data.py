"""Push devices (see privacy/registry.py)."""

from __future__ import annotations

from tsunagu.privacy.registry import Erase, Rule, register

register(
    Rule(
        "push.PushSubscription",
        owner="user",
        kind="push_devices",
        export=("label", "created_at", "last_success_at"),
        erase=Erase.DELETE,
    ),
)
