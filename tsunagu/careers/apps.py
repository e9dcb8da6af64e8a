from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareersConfig(AppConfig):
    name = "tsunagu.careers"
    label = "careers"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        from tsunagu.core.navigation import Link, add_link

        from . import kinds, receivers  # noqa: F401 - notification kinds, cache receivers

        add_link(Link("careers", _("Opportunities"), 70))
