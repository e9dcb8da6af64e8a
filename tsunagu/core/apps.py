from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "tsunagu.core"
    label = "core"

    def ready(self) -> None:
        from django.urls import register_converter

        from . import checks  # noqa: F401 - registers the deploy checks
        from .converters import IdConverter
        from .signals import sync_site_with_site_url

        post_migrate.connect(sync_site_with_site_url)
        register_converter(IdConverter, "id")
