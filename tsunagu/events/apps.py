from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "tsunagu.events"
    label = "events"

    def ready(self) -> None:
        from tsunagu.core.navigation import Link, add_link
        from tsunagu.core.revisions import track_revision

        from . import (
            kinds,  # noqa: F401 - registers the notification kinds
            signals,  # noqa: F401 - keeps the cached series list current
        )
        from .models import Event, Organiser, Photo, Registration

        # What the event page lists the same way for every reader is kept under its revision.
        track_revision(
            Event,
            children={Organiser: "event_id", Registration: "event_id", Photo: "event_id"},
            itself=False,
        )

        add_link(Link("events", _("Events"), 30))
