"""How long personal records are kept, and the nightly purge of what is older.

Three kinds of record are deleted once their period is over (settings, see docs/operations.md):

- invitations never accepted: ``RETENTION_INVITATION_MONTHS`` after the last thing that happened
  to them (created, sent, reminded); the do-not-invite list is a separate table of keyed hashes
  and stays;
- notifications: ``RETENTION_NOTIFICATION_MONTHS`` after they were made;
- audit entries: ``RETENTION_AUDIT_YEARS`` after they were recorded. This is the only deletion
  of ``AuditEntry`` rows the code makes (its manager refuses any other).

A period of 0 keeps that kind for ever. The purge walks each table by primary key and deletes
``BATCH`` rows per transaction, so no lock is held for long and a run stopped half-way is simply
continued by the next one; a second run finds nothing to do. Each network whose rows were deleted
gets one audit entry with the counts.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

BATCH = 1000


@dataclass(frozen=True)
class Policy:
    """The configured periods; 0 means kept for ever."""

    invitation_months: int
    notification_months: int
    audit_years: int


def policy() -> Policy:
    return Policy(
        invitation_months=settings.RETENTION_INVITATION_MONTHS,
        notification_months=settings.RETENTION_NOTIFICATION_MONTHS,
        audit_years=settings.RETENTION_AUDIT_YEARS,
    )


def months_before(moment: datetime, months: int) -> datetime:
    """The same time ``months`` calendar months earlier (the 31st becomes the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _invitations_due(cutoff: datetime) -> Q:
    from tsunagu.onboarding.models import InvitationStatus

    # Nothing happened to it within the period: made, sent and reminded before the cutoff, and
    # not scheduled to be sent later.
    return (
        ~Q(status=InvitationStatus.ACCEPTED)
        & Q(created_at__lt=cutoff)
        & (Q(sent_at__isnull=True) | Q(sent_at__lt=cutoff))
        & (Q(reminded_at__isnull=True) | Q(reminded_at__lt=cutoff))
        & (Q(send_on__isnull=True) | Q(send_on__lt=timezone.localdate()))
    )


def _purge(
    model: type[models.Model],
    due: Q,
    counts: Counter[tuple[int, str]],
    kind: str,
    after_batch: Callable[[list[tuple[int, int, int]]], None] | None = None,
    extra: str | None = None,
) -> int:
    """Deletes the rows of ``model`` matching ``due``, BATCH per transaction, in key order.

    Walking the primary key from the last batch's end reads each row once in all (a batch never
    starts the scan over), and a row committed meanwhile with a smaller key is left for the next
    run. ``after_batch`` receives (pk, network_id, extra column) of each deleted row.
    """
    manager = model._base_manager  # the plain manager: no network scope, no append-only guard
    fields = ["pk", "network_id", extra or "pk"]
    total, last = 0, 0
    while True:
        rows = list(manager.filter(due, pk__gt=last).order_by("pk").values_list(*fields)[:BATCH])
        if not rows:
            return total
        with transaction.atomic():
            manager.filter(pk__in=[row[0] for row in rows]).delete()
            if after_batch is not None:
                after_batch(rows)
        for _pk, network_id, _x in rows:
            counts[(network_id, kind)] += 1
        total += len(rows)
        last = rows[-1][0]
        if len(rows) < BATCH:
            return total


def _forget_bells(rows: list[tuple[int, int, int]]) -> None:
    """Deleted notifications leave the bell's cached count and list."""
    from tsunagu.notify.reads import forget_bell_and_recent
    from tsunagu.tenancy.models import Network

    by_network: dict[int, set[int]] = {}
    for _pk, network_id, recipient_id in rows:
        by_network.setdefault(network_id, set()).add(recipient_id)
    for network_id, user_ids in by_network.items():
        forget_bell_and_recent(Network(pk=network_id), user_ids)


def purge_expired(now: datetime | None = None) -> dict[str, int]:
    """Deletes every record past its period, in every network; answers the counts by kind."""
    from tsunagu.notify.models import Notification
    from tsunagu.onboarding.models import Invitation

    from .models import RETENTION_SCHEDULE, AuditAction, AuditEntry, record_system

    now = now or timezone.now()
    rule = policy()
    counts: Counter[tuple[int, str]] = Counter()
    totals = {"invitations": 0, "notifications": 0, "audit": 0}
    with scopes_disabled():
        if rule.invitation_months:
            cutoff = months_before(now, rule.invitation_months)
            totals["invitations"] = _purge(
                Invitation, _invitations_due(cutoff), counts, "invitations"
            )
        if rule.notification_months:
            cutoff = months_before(now, rule.notification_months)
            totals["notifications"] = _purge(
                Notification,
                Q(created_at__lt=cutoff),
                counts,
                "notifications",
                after_batch=_forget_bells,
                extra="recipient_id",
            )
        if rule.audit_years:
            cutoff = months_before(now, 12 * rule.audit_years)
            totals["audit"] = _purge(AuditEntry, Q(created_at__lt=cutoff), counts, "audit")
        by_network: dict[int, dict[str, int]] = {}
        for (network_id, kind), n in counts.items():
            by_network.setdefault(network_id, {})[kind] = n
        from tsunagu.tenancy.models import Network

        for network in Network.objects.filter(pk__in=list(by_network)):
            record_system(
                network, RETENTION_SCHEDULE, AuditAction.RETENTION, purged=by_network[network.pk]
            )
    return totals
