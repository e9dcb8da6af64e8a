"""What the directory may search: a normalised text of the fields shared with every member."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import Audience, Profile
from .names import fold, name_search_of, name_terms
from .normalize import normalize
from .visibility import MEMBER, hidden_audiences, shared_with_members


def _members_see(profile: Profile, field: str) -> bool:
    return shared_with_members(profile, field)


def search_text_of(profile: Profile) -> str:
    """Only what every member may see goes in: searching never reveals a hidden field.

    Folded like the words searched for (``names.fold``): variant kanji are one form.
    """
    parts = [name_search_of(profile, shared=_members_see)]
    for field, attributes in (
        ("name_kanji", ["name_kanji"]),
        ("name_kana", ["name_kana"]),
        ("name_romaji", ["name_romaji"]),
        ("last_position", ["last_department", "last_title"]),
        ("current_work", ["current_employer", "current_role"]),
        ("industry", ["industry"]),
        ("location", ["location"]),
        ("can_help_with", ["can_help_with"]),
        ("looking_for", ["looking_for"]),
        ("introduction", ["introduction"]),
    ):
        if _members_see(profile, field):
            parts += [getattr(profile, a) for a in attributes]
    if _members_see(profile, "career"):
        for entry in profile.career.all():
            parts += [entry.department, entry.title]
    for tag in profile.tags.all():
        if _members_see(profile, "skills" if tag.kind == "skill" else "interests"):
            parts.append(tag.name)
    return fold(" ".join(p for p in parts if p))[:20000]


def reindex(profile: Profile) -> None:
    profile.search_text = search_text_of(profile)
    profile.name_search = name_search_of(profile, shared=_members_see)[:1000]
    # The directory's order is visible: a reading shared with fewer people is not sorted by.
    kana = profile.name_kana if _members_see(profile, "name_kana") else ""
    profile.sort_name = normalize(kana or profile.name)[:100]
    Profile.objects.filter(pk=profile.pk).update(
        search_text=profile.search_text,
        name_search=profile.name_search,
        sort_name=profile.sort_name,
    )
    from .directory import sync

    sync(profile)


def reindex_all(network_ids: list[int] | None = None, *, batch: int = 1000) -> int:
    """Recomputes every profile's search columns (after the way they are built changed); the
    directory rows are rebuilt from them by ``directory.rebuild()``. Returns how many."""
    from django_scopes import scopes_disabled

    done = 0
    with scopes_disabled():
        profiles = Profile.objects.select_related("membership__user").prefetch_related(
            "tags", "career"
        )
        if network_ids is not None:
            profiles = profiles.filter(network_id__in=network_ids)
        chunk: list[Profile] = []
        for profile in profiles.order_by("pk").iterator(chunk_size=batch):
            profile.search_text = search_text_of(profile)
            profile.name_search = name_search_of(profile, shared=_members_see)[:1000]
            chunk.append(profile)
            if len(chunk) >= batch:
                Profile.objects.bulk_update(chunk, ["search_text", "name_search"])
                done += len(chunk)
                chunk = []
        Profile.objects.bulk_update(chunk, ["search_text", "name_search"])
    return done + len(chunk)


def search(queryset: QuerySet[Profile], query: str) -> QuerySet[Profile]:
    """Every word must appear. Works for one- and two-character Japanese words alike.

    This reads the profiles themselves (the operators' roster, whatever the members' status);
    the members' directory searches ``directory.entries_matching`` instead.
    """
    for term in name_terms(query):
        queryset = queryset.filter(search_text__contains=term)
    return queryset


def filter_by_name(
    queryset: QuerySet[Any], query: str, *, profile: str = "profile"
) -> QuerySet[Any]:
    """Members (or rows reaching a profile through ``profile``) whose name matches every word
    of ``query``, typed in any of the forms ``names.py`` describes: for the member pickers."""
    for term in name_terms(query):
        queryset = queryset.filter(**{f"{profile}__name_search__contains": term})
    return queryset


def visible_to_members(field: str, level: str = MEMBER) -> Q:
    """Rows whose ``field`` the viewer may see (for filters on structured fields)."""
    hidden = hidden_audiences(level)
    default_hidden = _default_hidden(field, hidden)
    lookup = f"visibility__{field}"
    shown_explicitly = Q(**{f"{lookup}__in": [a for a in Audience.values if a not in hidden]})
    if default_hidden:
        return shown_explicitly
    return shown_explicitly | Q(**{f"{lookup}__isnull": True})


def _default_hidden(field: str, hidden: list[str]) -> bool:
    from .visibility import FIELDS

    return FIELDS[field][1] in hidden


def members_with_matching_tags(network_id: int, text: str, *, limit: int = 50) -> set[int]:
    """User ids of active members whose shared skills or interests are named in ``text``.

    Used to bring a consultation to the people who can answer it. Only tags their owners share
    with the network count: a hidden skill never routes questions to anyone.
    """
    from tsunagu.tenancy.models import Status

    from .models import Tag

    haystack = normalize(text)
    names = Tag.objects.filter(network_id=network_id).values_list("pk", "kind", "normalized")
    matched = [(pk, kind) for pk, kind, name in names if len(name) >= 2 and name in haystack]
    if not matched:
        return set()
    condition = Q()
    for kind in {kind for _, kind in matched}:
        field = "skills" if kind == "skill" else "interests"
        ids = [pk for pk, k in matched if k == kind]
        condition |= Q(tags__in=ids) & visible_to_members(field)
    profiles = Profile.objects.filter(
        condition, network_id=network_id, membership__status=Status.ACTIVE
    )
    return set(profiles.values_list("membership__user_id", flat=True).distinct()[:limit])
