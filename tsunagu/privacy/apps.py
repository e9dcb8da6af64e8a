from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PrivacyConfig(AppConfig):
    name = "tsunagu.privacy"
    label = "privacy"

    def ready(self) -> None:
        # Every app says in its own personal_data.py how its rows about a person are exported
        # and erased; a model that refers to a person without a rule fails test_registry.py.
        autodiscover_modules("personal_data")
        from . import signals  # noqa: F401 - connects the receivers
