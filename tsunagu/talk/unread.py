"""Unread counts: per room from the room's counter and the member's read marker, and the total in
the navigation, kept in the cache until a message is posted in the network or the member reads.

A room's unread count is ``room.last_seq - last_read_seq``: no message is counted. The total is
one aggregate over the member's rooms; the navigation reads it from the cache, where it is valid
while the network's talk generation (bumped by every message) is the one it was computed at.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import F, QuerySet, Sum

from tsunagu.core import caching
from tsunagu.tenancy.models import Membership

from .models import RoomMember

log = logging.getLogger(__name__)


def _generation_key(network_id: int) -> str:
    return caching.key("talk", "gen", network_id)


def _member_key(member_id: int) -> str:
    return caching.key("talk", "unread", member_id)


def bump_generation(network_id: int) -> None:
    """A message was posted in the network: every total computed before is out of date (now,
    and again after the transaction commits)."""
    try:
        caching.bump(_generation_key(network_id))
    except Exception:  # a cache outage must not stop a message; totals heal within the hour
        log.warning("talk: could not bump the unread generation", exc_info=True)


def forget_member(member_id: int) -> None:
    """The member's rooms or read marks changed (now, and again after the transaction commits)."""
    try:
        caching.forget(_member_key(member_id))
    except Exception:
        log.warning("talk: could not forget an unread total", exc_info=True)


def _unread_places() -> QuerySet[RoomMember]:
    return RoomMember.objects.filter(room__is_archived=False, last_read_seq__lt=F("room__last_seq"))


def compute_total(member: Membership) -> int:
    total = (
        _unread_places()
        .filter(member=member)
        .aggregate(total=Sum(F("room__last_seq") - F("last_read_seq")))
        .get("total")
    )
    return int(total or 0)


def compute_totals(members: QuerySet[Membership]) -> dict[int, int]:
    """compute_total() of each of ``members`` (by membership id), in one query; those with
    nothing unread are left out."""
    rows = (
        _unread_places()
        .filter(member__in=members.values("pk"))
        .values("member_id")
        .annotate(total=Sum(F("room__last_seq") - F("last_read_seq")))
        .values_list("member_id", "total")
    )
    return {member_id: int(total or 0) for member_id, total in rows}


def total_keys(member: Membership) -> list[str]:
    """The cache keys unread_total() reads, for a caller that reads several things at once."""
    return [_generation_key(member.network_id), _member_key(member.pk)]


def unread_total(member: Membership, prefetched: dict[str, Any] | None = None) -> int:
    """The member's unread messages over all their rooms (``prefetched``: what the caller read
    of total_keys(), so no cache call is made here when the total is current)."""
    generation_key, member_key = total_keys(member)
    found = prefetched if prefetched is not None else caching.read_many(total_keys(member))
    generation = caching.counter(generation_key, found)
    entry = found.get(member_key)
    if entry is not None and entry[0] == generation:
        return int(entry[1])
    total = compute_total(member)
    caching.store(member_key, (generation, total), caching.HOUR)
    return total
