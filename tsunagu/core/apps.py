from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "tsunagu.core"
    label = "core"

    def ready(self) -> None:
        from django.conf import settings
        from django.urls import register_converter
        from PIL import Image

        from . import checks  # noqa: F401 - registers the deploy checks
        from .converters import IdConverter
        from .signals import sync_site_with_site_url

        post_migrate.connect(sync_site_with_site_url)
        # Pillow's own guard, for any image opened outside core/images.py: it warns above the
        # limit and refuses twice as many pixels.
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
        register_converter(IdConverter, "id")
