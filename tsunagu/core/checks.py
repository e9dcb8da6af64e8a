"""Tsunagu's own `manage.py check --deploy` warnings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security, deploy=True)
def check_secret_key_is_set(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    # The key generated into DATA_DIR is secret, but it belongs to one machine's DATA_DIR, and it
    # is lost with it: production sets one, the same for every process.
    if settings.SECRET_KEY_FILE is None:
        return []
    return [
        CheckWarning(
            "SECRET_KEY is not set: sessions and links are signed with a key generated into "
            f"{settings.SECRET_KEY_FILE}.",
            hint="Set SECRET_KEY in the environment of every process (docs/deployment.md).",
            id="tsunagu.W001",
        )
    ]
