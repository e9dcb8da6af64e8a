from __future__ import annotations

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "tsunagu.events"
    label = "events"

    def ready(self) -> None:
        from . import (
            kinds,  # noqa: F401 - registers the notification kinds
            signals,  # noqa: F401 - keeps the cached series list current
        )
