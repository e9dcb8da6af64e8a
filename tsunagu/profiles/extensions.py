"""What other apps add to the directory and to a member's profile page, registered in their
``ready()``.

profiles knows no feature: the careers app adds its "open to" filter and the flags shown on a
profile here (``careers/apps.py``).

- ``add_directory_filter(DirectoryFilter(...))``: a filter of the directory offered to some
  readers only. A reader it is not offered to sees no such control, and its parameter in the
  address is ignored for them.
- ``add_profile_section(ProfileSection(...))``: a block of a member's profile page, drawn by
  the app's own template.

The directory is read on every visit: ``choices`` and ``context`` must cost no query for the
readers they give nothing (decide from the membership the request already holds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

from tsunagu.tenancy.models import Membership

from .models import DirectoryEntry, Profile

Label = str | Promise


@dataclass(frozen=True)
class DirectoryFilter:
    param: str  # its name in the directory's address
    label: Label
    # What this reader may filter by, as (value, label); empty: the filter is not theirs.
    choices: Callable[[Membership], list[tuple[str, Label]]]
    # The rows matching ``value`` (one of the reader's choices) for this reader.
    narrow: Callable[[Membership, QuerySet[DirectoryEntry], str], QuerySet[DirectoryEntry]]
    # What the matches depend on besides ``value`` (say, which audiences the reader sees): the
    # directory keeps results per state, so two readers with the same scope share them.
    scope: Callable[[Membership], str]
    # A link beside the directory's title for the readers it is offered to: (label, value).
    link: tuple[Label, str] | None = None


@dataclass(frozen=True)
class ProfileSection:
    template: str
    # The template's context for this reader and profile, or None to draw nothing.
    context: Callable[[Membership, Profile], dict[str, Any] | None]


_filters: dict[str, DirectoryFilter] = {}
_sections: list[ProfileSection] = []


def add_directory_filter(found: DirectoryFilter) -> None:
    _filters[found.param] = found


def directory_filters() -> list[DirectoryFilter]:
    return list(_filters.values())


def add_profile_section(section: ProfileSection) -> None:
    if section not in _sections:
        _sections.append(section)


@dataclass(frozen=True)
class Offered:
    """A filter as one reader may use it: its choices and the value the request asked for."""

    param: str
    label: str
    choices: list[tuple[str, str]]
    value: str
    scope: str


def offered_filters(reader: Membership, params: Any) -> list[Offered]:
    """The filters offered to ``reader``, each with the value of ``params`` when it is one of
    their choices (else ``""``)."""
    offered = []
    for found in _filters.values():
        choices = [(value, str(label)) for value, label in found.choices(reader)]
        if not choices:
            continue
        value = params.get(found.param, "")
        value = value if value in {v for v, _label in choices} else ""
        scope = found.scope(reader) if value else ""
        offered.append(Offered(found.param, str(found.label), choices, value, scope))
    return offered


def narrow(
    reader: Membership, offered: list[Offered], entries: QuerySet[DirectoryEntry]
) -> QuerySet[DirectoryEntry]:
    """The rows that also match every offered filter the reader chose a value of."""
    for chosen in offered:
        if chosen.value:
            entries = _filters[chosen.param].narrow(reader, entries, chosen.value)
    return entries


def links(params: list[str]) -> list[dict[str, str]]:
    """The links beside the directory's title of the filters offered to the reader (``params``,
    from offered_filters()): label, param and value."""
    shown = []
    for param in params:
        link = _filters[param].link
        if link is not None:
            shown.append({"label": str(link[0]), "param": param, "value": link[1]})
    return shown


def profile_sections(reader: Membership, profile: Profile) -> list[dict[str, Any]]:
    """The sections to draw on ``profile``'s page for ``reader``: template and context."""
    drawn = []
    for section in _sections:
        context = section.context(reader, profile)
        if context is not None:
            drawn.append({"template": section.template, "context": context})
    return drawn
