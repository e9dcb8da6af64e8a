from __future__ import annotations

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "tsunagu.notify"
    label = "notify"

    def ready(self) -> None:
        from . import header

        header.register()
