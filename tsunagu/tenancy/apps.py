from __future__ import annotations

from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tsunagu.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from . import cache  # noqa: F401 - connects the cache invalidation signals
