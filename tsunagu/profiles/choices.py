"""The directory's filter choices: the skills and industries members share with their network,
and the tags suggested on the profile form. Seconds to gather in a network of 100,000, so the
directory's are kept (``caching.cached_expensive``) and gathered again by a task."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from tsunagu.core import caching
from tsunagu.tenancy.models import Status

from .directory import choices_key, directory_of
from .indexing import visible_to_members
from .models import Profile, Tag, TagKind


def suggestions(network_id: int, found: dict[str, Any] | None = None) -> dict[str, list[str]]:
    """The directory's filter choices (seconds to gather in a network of 100,000). After a
    change of the directory, or when they fall due, the page answers with the previous ones
    and a task gathers them again (tasks.refresh_directory_choices); only a cold cache makes a
    request gather them."""
    return caching.cached_expensive(
        choices_key(network_id),
        lambda: gather_choices(network_id),
        version=caching.counter(directory_of(network_id).version_key, found),
        refresh_after=settings.DIRECTORY_CHOICES_REFRESH_SECONDS,
        found=found,
        rebuild_later=lambda: _queue_refresh(network_id),
    )


def gather_choices(network_id: int) -> dict[str, list[str]]:
    return {
        "industries": _shared_industries(network_id),
        "skills": shared_tag_names(network_id, TagKind.SKILL),
    }


def refresh_choices(network_id: int) -> None:
    """Gathers the network's filter choices again, under the directory's version as it is now."""
    caching.rebuild_expensive(
        choices_key(network_id),
        lambda: gather_choices(network_id),
        version=caching.counter(directory_of(network_id).version_key),
    )


def shared_tag_names(network_id: int, kind: str) -> list[str]:
    """Suggestions: tags that some member shares with the network (a hidden tag is never named)."""
    field = "skills" if kind == TagKind.SKILL else "interests"
    sharing = Profile.objects.filter(
        visible_to_members(field), network_id=network_id, membership__status=Status.ACTIVE
    )
    tags = Tag.objects.filter(network_id=network_id, kind=kind, profiles__in=sharing)
    return list(tags.values_list("name", flat=True).distinct().order_by("name")[:200])


def _shared_industries(network_id: int) -> list[str]:
    qs = Profile.objects.filter(
        visible_to_members("industry"),
        network_id=network_id,
        membership__status=Status.ACTIVE,
    ).exclude(industry="")
    return sorted(set(qs.values_list("industry", flat=True).distinct()[:100]))


def _queue_refresh(network_id: int) -> None:
    from .tasks import refresh_directory_choices  # the task gathers them with this module

    refresh_directory_choices.delay(network_id)
