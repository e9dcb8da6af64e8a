"""Event images are private files: stored under names nobody can guess, served by views."""

from __future__ import annotations

from typing import Any

from tsunagu.core.storage import private_name


def cover_path(instance: Any, filename: str) -> str:
    return private_name(f"events/{instance.network_id}/covers", filename)


def photo_path(instance: Any, filename: str) -> str:
    return private_name(f"events/{instance.network_id}/photos", filename)
