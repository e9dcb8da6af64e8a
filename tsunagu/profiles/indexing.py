"""What the directory may search: a normalised text of the fields shared with every member."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q, QuerySet

from .models import Audience, Profile
from .normalize import normalize, query_terms
from .visibility import MEMBER, audience_of, hidden_audiences


def _members_see(profile: Profile, field: str) -> bool:
    return audience_of(profile, field) == Audience.MEMBERS


def search_text_of(profile: Profile) -> str:
    """Only what every member may see goes in: searching never reveals a hidden field."""
    parts = [profile.display_name, profile.membership.user.name]
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
    return normalize(" ".join(p for p in parts if p))[:20000]


SUGGESTIONS_SECONDS = 300


def suggestions_key(network_id: int) -> str:
    return f"profiles:suggestions:v1:{network_id}"


def reindex(profile: Profile) -> None:
    cache.delete(suggestions_key(profile.network_id))
    profile.search_text = search_text_of(profile)
    # The directory's order is visible: a reading shared with fewer people is not sorted by.
    kana = profile.name_kana if _members_see(profile, "name_kana") else ""
    profile.sort_name = normalize(kana or profile.name)[:100]
    Profile.objects.filter(pk=profile.pk).update(
        search_text=profile.search_text, sort_name=profile.sort_name
    )
    from .directory import sync

    sync(profile)


def search(queryset: QuerySet[Profile], query: str) -> QuerySet[Profile]:
    """Every word must appear. Works for one- and two-character Japanese words alike.

    This reads the profiles themselves (the operators' roster, whatever the members' status);
    the members' directory searches ``directory.entries_matching`` instead.
    """
    for term in query_terms(query):
        queryset = queryset.filter(search_text__contains=term)
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
