from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalkConfig(AppConfig):
    name = "tsunagu.talk"
    label = "talk"
    verbose_name = _("Talk rooms")

    def ready(self) -> None:
        from . import header, kinds, signals  # noqa: F401 - notification kinds, the default room

        header.register()
