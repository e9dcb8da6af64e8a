from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalkConfig(AppConfig):
    name = "tsunagu.talk"
    label = "talk"
    verbose_name = _("Talk rooms")

    def ready(self) -> None:
        from tsunagu.core.revisions import Child, track_revision

        from . import header, kinds, signals  # noqa: F401 - notification kinds, the default room
        from .models import Attachment, Message, Reaction, Room

        # The cached newest page of a room (pages.py) is kept under its revision and last_seq.
        track_revision(
            Room,
            children={
                # A new message moves the room's last_seq instead, in the same transaction.
                Message: Child("room_id", created=False),
                Attachment: "room_id",
                Reaction: "message__room_id",
            },
            itself=False,
        )
        header.register()
