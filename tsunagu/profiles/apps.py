from __future__ import annotations

from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "tsunagu.profiles"
    label = "profiles"

    def ready(self) -> None:
        from . import signals  # noqa: F401
