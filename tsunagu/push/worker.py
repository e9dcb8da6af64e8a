"""What the service worker is told: which static files to keep, and where the offline page is."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from .icons import NOTIFICATION_ICON

# Kept at install time: what the offline page and a notification need.
PRECACHE = ("tsunagu/tsunagu.css", "tsunagu/tsunagu.js", "tsunagu/favicon.svg", NOTIFICATION_ICON)
# Bump when the worker's own code changes in a way its cache must follow.
SCHEMA = "1"


def worker_config() -> dict[str, Any]:
    css = "tsunagu/tsunagu.css"
    config: dict[str, Any] = {
        "offline": reverse("push:offline"),
        "static": settings.STATIC_URL,
        "precache": [static(path) for path in PRECACHE],
        # Production names static files after their content (…/tsunagu.1a2b3c4d5e6f.css): such a
        # file never changes, so the cached copy is served first. Without hashed names (debug) the
        # network comes first and the cache is only the fallback when offline.
        "hashed": static(css) != settings.STATIC_URL + css,
        "icon": static(NOTIFICATION_ICON),
    }
    digest = hashlib.sha256(json.dumps([SCHEMA, config], sort_keys=True).encode()).hexdigest()
    # A new version (new static files after a deploy) installs a new cache and drops the old one.
    config["cache"] = "tsunagu-" + digest[:12]
    return config
