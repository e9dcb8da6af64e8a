from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "tsunagu.surveys"
    label = "surveys"

    def ready(self) -> None:
        from tsunagu.core.navigation import Link, add_link

        from . import kinds  # noqa: F401 - registers the notification kinds

        add_link(Link("surveys", _("Surveys"), 80))
