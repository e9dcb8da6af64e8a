"""A short name for a device, from its browser's User-Agent: what a member recognises in the list
of devices ("Safari · iPhone"). Names of products, the same in every language."""

from __future__ import annotations

# The first match wins: Edge and Opera say "Chrome" too, and Chrome says "Safari".
BROWSERS = (
    ("EdgA/", "Edge"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)


def label_from_user_agent(user_agent: str) -> str:
    browser = next((name for token, name in BROWSERS if token in user_agent), "")
    system = next((name for token, name in SYSTEMS if token in user_agent), "")
    return " · ".join(part for part in (browser, system) if part)
