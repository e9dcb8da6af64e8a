from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "tsunagu.news"
    label = "news"
    verbose_name = _("News and columns")

    def ready(self) -> None:
        from tsunagu.core.navigation import Link, add_link

        from . import kinds, signals  # noqa: F401 - notification kinds, receivers

        add_link(Link("news", _("News"), 60))
