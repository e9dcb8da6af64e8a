from __future__ import annotations

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "tsunagu.surveys"
    label = "surveys"

    def ready(self) -> None:
        from . import kinds  # noqa: F401 - registers the notification kinds
