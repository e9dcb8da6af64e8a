from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "tsunagu.profiles"
    label = "profiles"

    def ready(self) -> None:
        from tsunagu.core.navigation import Link, add_link, containing

        from . import signals  # noqa: F401

        add_link(Link("directory", _("Directory"), 20, current=containing("/members/")))
