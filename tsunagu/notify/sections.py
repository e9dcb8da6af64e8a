"""Fields other apps add to the notification settings page, saved with it: the digest app adds
how often its digest comes (``digest/apps.py``). notify knows no app that adds one.

A section is a form of its own, shown inside the page's form through ``template`` (given the
bound form as ``form``); the page is saved only when every section's form is valid, and each
section then saves its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from tsunagu.tenancy.models import Membership


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    # The member's form, bound to the posted data (None on a GET).
    form: Callable[[Membership, Any], forms.Form]
    save: Callable[[Membership, forms.Form], None]


_sections: dict[str, Section] = {}


def add_section(section: Section) -> None:
    _sections[section.key] = section


def sections() -> list[Section]:
    return list(_sections.values())
