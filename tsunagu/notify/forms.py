"""The preferences page's switches, as posted."""

from __future__ import annotations

from django.http import QueryDict

from .kinds import CHANNELS, Group, Kind


def field_name(kind: Kind, channel: str) -> str:
    return f"{kind.key}.{channel}"


def switch_name(group: Group, channel: str) -> str:
    return f"group.{group.key}.{channel}"


def read_choices(
    data: QueryDict, groups: list[tuple[Group, list[Kind]]]
) -> dict[str, dict[str, bool]]:
    """For each kind the page showed (listed in ``shown``, so a form that lacks a row changes
    nothing of it), whether each channel is on.

    A group's switch that the member flipped (its state differs from the one the page showed,
    posted beside it as ``<switch>.was``) sets every row of its group and channel: without
    JavaScript that is what the switch does. Otherwise the rows decide. The page's script keeps
    a switch as shown while its rows are mixed and in step with them when they agree, so the
    rows' choice is what is read when it runs.
    """
    shown = set(data.getlist("shown"))
    choices: dict[str, dict[str, bool]] = {}
    for group, kinds in groups:
        for channel in CHANNELS:
            name = switch_name(group, channel)
            was, now = data.get(f"{name}.was"), data.get(name) == "on"
            flipped = was in ("on", "off") and (was == "on") != now
            for kind in kinds:
                if kind.key not in shown:
                    continue
                row = data.get(field_name(kind, channel)) == "on"
                choices.setdefault(kind.key, {})[channel] = now if flipped else row
    return choices
