"""Members by role and status, stored and kept current by every change of a membership.

The dashboard and its warnings show how many members a network has in each role and status.
Counting them reads every membership of the network (about 50 ms at 100,000 members, the
costliest query of a cold dashboard), so the counts are stored (``rollups.MemberCount``) and
moved by one in the transaction that adds, changes or removes a membership:

- a new membership adds one to its role and status;
- a saved change of role or status moves one from the old pair to the new (the old pair is read
  before the save, so a change made on a stale object still moves the right one);
- a deleted membership takes one away.

A write that skips ``post_save`` (``bulk_create``, ``bulk_update``, a queryset ``update``) must
send ``tenancy.signals.members_written_in_bulk``: the network's counts are then forgotten and
counted again on the next read. The nightly refresh counts every network again (``recount``),
so even a write that forgot to say so is right the next day.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, F
from django.db.models.signals import post_delete, post_save, pre_save
from django_scopes import scopes_disabled

from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.tenancy.signals import members_written_in_bulk

from .rollups import MemberCount

Pair = tuple[str, str]


def counts(network_id: int) -> dict[Pair, int]:
    """Members by (role, status), without the pairs nobody is in."""
    with scopes_disabled():
        stored = list(
            MemberCount.objects.filter(network_id=network_id).values_list("role", "status", "n")
        )
    if not stored:
        return recount(network_id)
    return {(role, status): n for role, status, n in stored if n}


def recount(network_id: int) -> dict[Pair, int]:
    """Counts the network's memberships and stores the result (every pair, zeros too, so
    that a change only ever updates a row that exists)."""
    with transaction.atomic(), scopes_disabled():
        found = {
            (row["role"], row["status"]): row["n"]
            for row in Membership.objects.filter(network_id=network_id)
            .values("role", "status")
            .annotate(n=Count("id"))
            .order_by()
        }
        MemberCount.objects.bulk_create(
            [
                MemberCount(
                    network_id=network_id, role=role, status=status, n=found.get((role, status), 0)
                )
                for role in Role.values
                for status in Status.values
            ],
            update_conflicts=True,
            unique_fields=["network", "role", "status"],
            update_fields=["n"],
        )
    return {pair: n for pair, n in found.items() if n}


def forget(network_id: int) -> None:
    """The network's counts are counted again on the next read."""
    with scopes_disabled():
        MemberCount.objects.filter(network_id=network_id).delete()


def _move(network_id: int, pair: Pair, by: int) -> None:
    # Counts not yet stored are counted when first read, with this change in them.
    with scopes_disabled():
        MemberCount.objects.filter(network_id=network_id, role=pair[0], status=pair[1]).update(
            n=F("n") + by
        )


def _before_save(sender: type, instance: Membership, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance._state.adding or instance.pk is None:
        return
    fields = kwargs.get("update_fields")
    if fields is not None and not {"role", "status", "network"} & set(fields):
        return
    with scopes_disabled():
        before = Membership.objects.filter(pk=instance.pk)
        instance._counted_before = before.values_list(  # type: ignore[attr-defined]
            "network_id", "role", "status"
        ).first()


def _after_save(sender: type, instance: Membership, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    now = (instance.network_id, instance.role, instance.status)
    if created:
        _move(now[0], now[1:], 1)
        return
    before = instance.__dict__.pop("_counted_before", None)
    if before is None or tuple(before) == now:
        return
    _move(before[0], (before[1], before[2]), -1)
    _move(now[0], now[1:], 1)


def _after_delete(sender: type, instance: Membership, **kwargs: Any) -> None:
    _move(instance.network_id, (instance.role, instance.status), -1)


def _written_in_bulk(sender: Any, network_id: int, **kwargs: Any) -> None:
    forget(network_id)


def connect() -> None:
    uid = "insights-member-counts"
    pre_save.connect(_before_save, sender=Membership, dispatch_uid=uid)
    post_save.connect(_after_save, sender=Membership, dispatch_uid=uid)
    post_delete.connect(_after_delete, sender=Membership, dispatch_uid=uid)
    members_written_in_bulk.connect(_written_in_bulk, dispatch_uid=uid)
