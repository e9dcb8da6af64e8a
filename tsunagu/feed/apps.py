from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedConfig(AppConfig):
    name = "tsunagu.feed"
    label = "feed"
    verbose_name = _("Home feed and search")

    def ready(self) -> None:
        from tsunagu.core.navigation import Link, add_link, exact

        from . import kinds, signals  # noqa: F401 - notification kinds, cache and index upkeep

        add_link(Link("home", _("Home"), 10, current=exact))
