from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardsConfig(AppConfig):
    name = "tsunagu.boards"
    label = "boards"
    verbose_name = _("Boards")

    def ready(self) -> None:
        from tsunagu.core.navigation import Link, add_link

        from . import kinds, signals  # noqa: F401 - registers notification kinds and receivers

        add_link(Link("boards", _("Boards"), 40))
