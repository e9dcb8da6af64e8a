"""The app's icons (made by scripts/make_app_icons.py) and colours, for the manifest and pages."""

from __future__ import annotations

from dataclasses import dataclass

# The site's blue and page background (tsunagu.css: --brand, --bg).
THEME_COLOR = "#2f5fd0"
BACKGROUND_COLOR = "#f6f7fb"


@dataclass(frozen=True)
class Icon:
    path: str  # under static/
    size: int
    purpose: str = "any"
    in_manifest: bool = True


ICONS = (
    Icon("push/icon-192.png", 192),
    Icon("push/icon-512.png", 512),
    # Drawn inside the safe circle, so that any mask the phone applies keeps the whole mark.
    Icon("push/icon-maskable-512.png", 512, "maskable"),
    # iOS takes its home-screen icon from <link rel="apple-touch-icon">, not from the manifest.
    Icon("push/apple-touch-icon.png", 180, in_manifest=False),
)
APPLE_TOUCH_ICON = ICONS[3].path
NOTIFICATION_ICON = ICONS[0].path
