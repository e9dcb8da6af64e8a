"""Reading the notification settings page as a browser without JavaScript would submit it."""

from __future__ import annotations

import re
from typing import Any

URL = "/n/{slug}/notifications/preferences/"

_INPUT = re.compile(r"<input\b[^>]*>")
_ATTR = re.compile(r'([a-z-]+)(?:="([^"]*)")?')


def inputs(html: str) -> list[dict[str, str]]:
    """Every input of the page, as a dict of its attributes (a bare attribute maps to "")."""
    return [
        {name: value or "" for name, value in _ATTR.findall(tag[len("<input") : -1])}
        for tag in _INPUT.findall(html)
    ]


def checkbox(html: str, name: str) -> bool | None:
    """Whether the checkbox ``name`` is checked; None when the page does not show it."""
    for found in inputs(html):
        if found.get("type") == "checkbox" and found.get("name") == name:
            return "checked" in found
    return None


def submission(html: str, **changes: bool) -> dict[str, Any]:
    """The settings form as the page shows it, with checkboxes set as ``changes`` says
    (``talk_direct__email=False``, ``group__boards__email=False``)."""
    wanted = {key.replace("__", "."): value for key, value in changes.items()}
    data: dict[str, Any] = {}
    form = html[html.index("data-notify-preferences") :]
    for found in inputs(form):
        name = found.get("name")
        if not name or name == "csrfmiddlewaretoken":
            continue
        if found.get("type") == "checkbox":
            on = wanted.pop(name, "checked" in found)
            if on:
                data[name] = "on"
        else:
            data.setdefault(name, []).append(found.get("value", ""))
    assert not wanted, f"the page shows no checkbox {sorted(wanted)}"
    selected = re.search(r'<option value="(\w+)" selected>', form)
    if selected:
        data["digest"] = selected[1]
    return data
