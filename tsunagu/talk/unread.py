"""Unread counts: per room from the room's counter and the member's read marker, and the total in
the navigation, kept in the cache until a message is posted in the network or the member reads.

A room's unread count is ``room.last_seq - last_read_seq``: no message is counted. The total is
one aggregate over the member's rooms; the navigation reads it from the cache, where it is valid
while the network's talk generation (bumped by every message) is the one it was computed at.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache
from django.db.models import F, Sum

from tsunagu.tenancy.models import Membership

from .models import RoomMember

log = logging.getLogger(__name__)


def _generation_key(network_id: int) -> str:
    return f"talk:gen:{network_id}"


def _member_key(member_id: int) -> str:
    return f"talk:unread:{member_id}"


def bump_generation(network_id: int) -> None:
    key = _generation_key(network_id)
    try:
        try:
            cache.incr(key)
        except ValueError:
            # Evicted or never set: start from a value no cached total can carry.
            cache.set(key, time.time_ns(), timeout=None)
    except Exception:  # a cache outage must not stop a message; totals heal within the hour
        log.warning("talk: could not bump the unread generation", exc_info=True)


def forget_member(member_id: int) -> None:
    try:
        cache.delete(_member_key(member_id))
    except Exception:
        log.warning("talk: could not forget an unread total", exc_info=True)


def compute_total(member: Membership) -> int:
    total = (
        RoomMember.objects.filter(
            member=member, room__is_archived=False, last_read_seq__lt=F("room__last_seq")
        )
        .aggregate(total=Sum(F("room__last_seq") - F("last_read_seq")))
        .get("total")
    )
    return int(total or 0)


def total_keys(member: Membership) -> list[str]:
    """The cache keys unread_total() reads, for a caller that reads several things at once."""
    return [_generation_key(member.network_id), _member_key(member.pk)]


def unread_total(member: Membership, prefetched: dict[str, Any] | None = None) -> int:
    """The member's unread messages over all their rooms (``prefetched``: what the caller read
    of total_keys(), so no cache call is made here when the total is current)."""
    generation_key, member_key = total_keys(member)
    found = prefetched if prefetched is not None else cache.get_many([generation_key, member_key])
    generation = found.get(generation_key)
    if generation is None:
        generation = time.time_ns()
        if not cache.add(generation_key, generation, timeout=None):
            generation = cache.get(generation_key, generation)
    entry = found.get(member_key)
    if entry is not None and entry[0] == generation:
        return int(entry[1])
    total = compute_total(member)
    cache.set(member_key, (generation, total), timeout=3600)
    return total
