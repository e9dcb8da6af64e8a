from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tsunagu.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import (  # noqa: F401 - receivers
            backends,  # drops a cached user whenever the row changes
            signals,  # ends the sockets of ended sessions
        )
