"""Profiles, careers, life updates and the directory's index (see privacy/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tsunagu.privacy.registry import ALL, Erase, Rule, register

from .indexing import reindex
from .models import Profile

if TYPE_CHECKING:
    from tsunagu.privacy.erasure import Context

PERSONAL = (
    "display_name", "name_kanji", "name_kana", "name_romaji", "joined_on", "left_on",
    "last_department", "last_title", "current_employer", "current_role", "industry", "location",
    "can_help_with", "looking_for", "introduction", "links", "contact_email", "contact_phone",
    "birth_date", "visibility", "employer_confirmed_at",
)  # fmt: skip


def blank_profiles(rows: QuerySet[Profile], ctx: Context) -> None:
    """Every personal field emptied, the photo deleted from storage, the tags let go; saving
    rebuilds the search columns (name_search, search_text, sort_name) from the emptied fields."""
    for profile in rows:
        for field in Profile._meta.concrete_fields:
            if field.name in PERSONAL:
                setattr(profile, field.name, field.get_default())
        if profile.photo:
            profile.photo.delete(save=False)
        profile.tags.clear()
        profile.save()
        reindex(profile)


register(
    Rule(
        "profiles.Profile",
        owner="membership",
        kind="profiles",
        export=ALL,
        hidden=("introduction_html", "search_text", "name_search", "sort_name"),
        files=("photo",),
        erase=Erase.BLANK,
        erase_with=blank_profiles,
    ),
    Rule(
        "profiles.CareerEntry",
        owner="profile__membership",
        kind="careers_in_the_company",
        export=ALL,
        erase=Erase.DELETE,
        order=40,
    ),
    Rule(
        "profiles.LifeUpdate",
        owner="membership",
        kind="life_updates",
        export=ALL,
        erase=Erase.DELETE,
    ),
    Rule(
        "profiles.DirectoryEntry",
        owner="profile__membership",
        erase=Erase.DELETE,
        why="the directory's search index, built from the profile",
        order=40,
    ),
)
