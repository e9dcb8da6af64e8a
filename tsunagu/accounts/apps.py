from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tsunagu.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import backends  # noqa: F401 - drops a cached user whenever the row changes
