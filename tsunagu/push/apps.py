from __future__ import annotations

from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "tsunagu.push"
    label = "push"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401 - registers the checks, connects the receivers
