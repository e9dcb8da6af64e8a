from __future__ import annotations

from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tsunagu.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from django.urls import register_converter

        from . import (
            cache,  # noqa: F401 - connects the cache invalidation signals
            header,
        )
        from .converters import NetworkSlugConverter

        register_converter(NetworkSlugConverter, "network")
        header.register()
