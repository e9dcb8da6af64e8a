from __future__ import annotations

from django.apps import AppConfig


class AnnounceConfig(AppConfig):
    name = "tsunagu.announce"
    label = "announce"
