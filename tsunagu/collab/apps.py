from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollabConfig(AppConfig):
    name = "tsunagu.collab"
    label = "collab"

    def ready(self) -> None:
        from tsunagu.core.navigation import Link, add_link

        from . import (
            kinds,  # noqa: F401 - registers the notification kinds
            personal_data,  # noqa: F401 - says what export and erasure do
            receivers,  # noqa: F401 - forgets what collab keeps in the cache
        )
        from .header import LINKED

        # Members of linked networks who chose to be found, the shared rooms and one's own
        # choice: shown while the network has an active link with another network.
        add_link(Link("linked_people", _("Linked networks"), 45, when=LINKED))
