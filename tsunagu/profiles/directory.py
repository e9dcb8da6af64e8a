"""The directory's search: one narrow, indexed row per active member.

Searching the profiles themselves meant reading wide rows and judging each field's audience in
the query; at 100,000 members a filtered search read the whole network. Each active member's
profile instead keeps a :class:`DirectoryEntry` with only what every member may see, and search
keys (``tokens.py``) for its words and for each filter it shares. A search or a filter is then one
lookup in one index (GIN on PostgreSQL, FTS5 on SQLite), and the first page walks a sort index.

Entries follow their profile (``reindex``) and their membership (a change of role or status).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, OrderBy, QuerySet
from django.db.models.functions import Coalesce
from django_scopes import scopes_disabled

from tsunagu.core import caching
from tsunagu.tenancy.models import Membership, Network, Status

from . import queries
from .access import LISTED
from .models import DirectoryEntry, Profile, TagKind
from .names import name_terms
from .normalize import normalize
from .queries import Listed as Listed  # what a card's version needs (views.py)
from .tokens import (
    facet_industry,
    facet_role,
    facet_skill,
    facet_year,
    text_keys,
    word_keys,
)
from .visibility import shared_with_members


def _shared(profile: Any, field: str) -> bool:
    return shared_with_members(profile, field)


def entry_for(profile: Any, membership: Any, skill_ids: Iterable[int]) -> DirectoryEntry | None:
    """The directory row of a profile, or None when its member is not listed (not active).

    Works on plain attribute holders too (the migration that fills the table passes historical
    models), so it reads attributes only.
    """
    if membership.status != Status.ACTIVE:
        return None
    text = profile.search_text or ""
    facets = {facet_role(membership.role)}
    department = ""
    if _shared(profile, "last_position") and profile.last_department:
        department = normalize(profile.last_department)[:100]
    if _shared(profile, "years") and profile.left_on:
        facets.add(facet_year(profile.left_on.year))
    if _shared(profile, "industry") and profile.industry:
        facets.add(facet_industry(normalize(profile.industry)))
    if _shared(profile, "skills"):
        facets |= {facet_skill(pk) for pk in skill_ids}
    return DirectoryEntry(
        profile_id=profile.pk,
        network_id=profile.network_id,
        search_text=text,
        department=department,
        keys=sorted(text_keys(text)),
        department_keys=sorted(text_keys(department)),
        facets=sorted(facets),
        sort_name=profile.sort_name or "",
        updated_at=profile.updated_at,
        joined_at=membership.created_at,
    )


def _skill_ids(profile: Profile) -> list[int]:
    return [t.pk for t in profile.tags.all() if t.kind == TagKind.SKILL]


def sync(profile: Profile) -> None:
    """Bring one profile's directory row up to date (or remove it)."""
    entry = entry_for(profile, profile.membership, _skill_ids(profile))
    if entry is None:
        DirectoryEntry.objects.filter(profile_id=profile.pk).delete()
    else:
        entry.save()
    forget_results(profile.network_id)


# Searches' results (the count and a page of ids) are kept this long, under the version of the
# network's directory that every change of a row moves on: a result is never stale, only unused.
RESULTS_SECONDS = 10 * 60
# The filter choices (the skills and industries members share) take seconds to gather in a large
# network: rebuilt by one request while the others keep the previous ones, whenever a row changed
# (the version moved on) and, for changes that reach no row, at least every
# settings.DIRECTORY_CHOICES_REFRESH_SECONDS (an hour).


def directory_of(network_id: int) -> caching.Namespace:
    """The network's cached directory searches, under its version."""
    return caching.Namespace("profiles", "directory", network_id)


def choices_key(network_id: int) -> str:
    return caching.key("profiles", "choices", network_id)


def forget_results(network_id: int) -> None:
    """A row changed: results and filter choices of the directory are out of date."""
    directory_of(network_id).clear()


def rebuild(network_ids: Iterable[int] | None = None, *, batch: int = 2000) -> int:
    """Rebuild the rows of some networks (or all) from the profiles; returns how many are listed."""
    listed = 0
    network_ids = list(network_ids) if network_ids is not None else None
    with transaction.atomic(), scopes_disabled():
        profiles = Profile.objects.select_related("membership").prefetch_related("tags")
        entries = DirectoryEntry.objects.all()
        if network_ids is not None:
            profiles = profiles.filter(network_id__in=list(network_ids))
            entries = entries.filter(network_id__in=list(network_ids))
        entries.delete()
        chunk: list[DirectoryEntry] = []
        for profile in profiles.order_by("pk").iterator(chunk_size=batch):
            entry = entry_for(profile, profile.membership, _skill_ids(profile))
            if entry is not None:
                chunk.append(entry)
            if len(chunk) >= batch:
                DirectoryEntry.objects.bulk_create(chunk)
                listed += len(chunk)
                chunk = []
        DirectoryEntry.objects.bulk_create(chunk)
        everywhere = Network.objects.values_list("pk", flat=True)
        for network_id in everywhere if network_ids is None else network_ids:
            forget_results(network_id)
    return listed + len(chunk)


def entries_matching(
    network_id: int,
    *,
    query: str = "",
    role: str = "",
    left_from: int | None = None,
    left_to: int | None = None,
    department: str = "",
    industry: str = "",
    skill_ids: Iterable[int] | None = None,
) -> QuerySet[DirectoryEntry]:
    """Rows of listed members matching every word and every filter (skills: any of the ids)."""
    qs = DirectoryEntry.objects.filter(network_id=network_id)
    rechecks: list[tuple[str, str]] = []
    for column, words in (("search_text", name_terms(query)), ("department", department)):
        words = normalize(words).split() if isinstance(words, str) else words
        required: set[int] = set()
        for word in words:
            keys, exact = word_keys(word)
            required |= keys
            if not exact:
                rechecks.append((column, word))
        if required:
            lookup = "keys" if column == "search_text" else "department_keys"
            qs = qs.filter(**{f"{lookup}__has_all": sorted(required)})
    facets = set()
    if role:
        facets.add(facet_role(role))
    if industry:
        facets.add(facet_industry(normalize(industry)))
    if facets:
        qs = qs.filter(facets__has_all=sorted(facets))
    if left_from or left_to:
        first, last = max(left_from or 1900, 1900), min(left_to or 2100, 2100)
        years = [facet_year(y) for y in range(first, last + 1)]
        qs = qs.filter(facets__has_any=years) if years else qs.none()
    if skill_ids is not None:
        skills = [facet_skill(pk) for pk in skill_ids]
        qs = qs.filter(facets__has_any=skills) if skills else qs.none()
    for column, word in rechecks:
        qs = qs.filter(**{f"{column}__contains": word})
    return qs


def listed_versions(network_id: int, ids: list[int]) -> list[Listed]:
    """What the cards of a page of entries are drawn from (queries.listed_versions()), for
    members the directory lists only."""
    return queries.listed_versions(network_id, ids, LISTED.rule())


def listed_profiles(ids: list[int], *, checked: bool = False) -> list[Profile]:
    """The profiles of a page of entries with their tags, in the entries' order, members still
    active only (``checked``: the ids come from listed_versions(), which kept those only)."""
    profiles = Profile.objects.filter(pk__in=ids).select_related("membership__user")
    if not checked:
        profiles = profiles.filter(LISTED.q())
    by_id = {p.pk: p for p in profiles.prefetch_related("tags")}
    return [by_id[pk] for pk in ids if pk in by_id]


def follow_membership(membership: Membership) -> None:
    """A membership changed (role, status): its profile's row follows."""
    with scopes_disabled():  # one membership's own profile, found by its key
        profile = (
            Profile.objects.filter(membership_id=membership.pk).prefetch_related("tags").first()
        )
        if profile is not None:
            profile.membership = membership
            sync(profile)


# How many rows, in sort order, a page of a common search may read before it sorts its matches.
WINDOW = 3000
# Up to this many matches, the database finds them all and sorts them.
SORT_AT_MOST = 1000


def _unindexed(order: tuple[str, ...]) -> list[OrderBy]:
    """The same order, in a form no index serves: the database sorts the matches it found."""
    terms = []
    for name in order:
        column = name.lstrip("-")
        expression = Coalesce(F(column), F(column)) if column != "profile_id" else F(column)
        terms.append(expression.desc() if name.startswith("-") else expression.asc())
    return terms


def page_ids(
    network_id: int,
    entries: QuerySet[DirectoryEntry],
    order: tuple[str, ...],
    offset: int,
    limit: int,
    *,
    many: bool,
) -> list[int]:
    """The profile ids of one page of matches, choosing how to find them by how many match.

    Few matches (the count was not capped): the search index finds them all and the database
    sorts them. Many: their first pages usually lie within the first rows in sort order, so only
    a window of those is read; when the matches cluster elsewhere in the order (a common surname
    sorts together), the window comes up short and the matches are sorted instead.
    """
    if many:
        ids = queries.within_window(network_id, entries, order, offset, limit, size=WINDOW)
        if len(ids) == limit:
            return ids
    by_sorting = entries.order_by(*_unindexed(order))
    return list(by_sorting.values_list("pk", flat=True)[offset : offset + limit])


def first_profiles(network_id: int, query: str, limit: int) -> list[Profile]:
    """The first listed members, by name, whose shared fields hold every word of ``query``."""
    entries = entries_matching(network_id, query=query)
    many = entries.order_by().values("pk")[: SORT_AT_MOST + 1].count() > SORT_AT_MOST
    ids = page_ids(network_id, entries, ("sort_name", "profile_id"), 0, limit, many=many)
    return listed_profiles(ids)
