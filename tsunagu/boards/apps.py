from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardsConfig(AppConfig):
    name = "tsunagu.boards"
    label = "boards"
    verbose_name = _("Boards")

    def ready(self) -> None:
        from tsunagu.core.navigation import Link, add_link
        from tsunagu.core.revisions import track_revision

        from . import kinds, signals  # noqa: F401 - registers notification kinds and receivers
        from .models import Attachment, Comment, Reaction, Thread

        # The cached comment pages (render.py) are kept under the thread's revision.
        track_revision(
            Thread, children={Comment: "thread_id", Reaction: "thread_id", Attachment: "thread_id"}
        )
        add_link(Link("boards", _("Boards"), 40))
