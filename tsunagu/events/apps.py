from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "tsunagu.events"
    label = "events"

    def ready(self) -> None:
        from tsunagu.core.navigation import Link, add_link

        from . import (
            kinds,  # noqa: F401 - registers the notification kinds
            signals,  # noqa: F401 - keeps the cached series list current
        )

        add_link(Link("events", _("Events"), 30))
