"""Records of members' data shown to other networks (APPI Arts. 29-30), and their retention.

One row per (viewer network, person, day): a second view the same day merges its fields into
the row and counts it. The rows are the person's own network's: its operators export them, the
person sees them on their privacy page. Kept ``RETENTION_YEARS``, then deleted by the nightly
task (``tasks.purge_old_disclosures``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.audit.retention import months_before

from .models import Disclosure, Link, OptIn, SharedRoomMember

RETENTION_YEARS = 3
BATCH = 1000


@dataclass(frozen=True)
class Shown:
    """One person's data shown to one viewer network: which fields, under which consent (their
    opt-in to the linked directory, or their joining the shared room it was shown in)."""

    network_id: int  # the person's network
    membership_id: int
    consent: OptIn | None  # None: the person showed it themselves, as ``basis`` says
    link: Link
    fields: tuple[str, ...]
    basis: str = ""
    room_member: SharedRoomMember | None = None


def link_between(network_id: int, other_id: int) -> Link | None:
    """The newest link between two networks, whatever its state (the one a record names)."""
    with scopes_disabled():
        return (
            Link.objects.filter(
                Q(network_id=network_id, partner_id=other_id)
                | Q(network_id=other_id, partner_id=network_id)
            )
            .order_by("-changed_at", "-id")
            .first()
        )


def record_disclosures(viewer_network_id: int, shown: Iterable[Shown]) -> None:
    """Records what a page showed to a member of ``viewer_network_id``: at most four statements
    for a whole page, whatever its length."""
    shown = list(shown)
    if not shown:
        return
    now = timezone.now()
    today = timezone.localdate(now)
    with scopes_disabled(), transaction.atomic():
        existing = {
            row.membership_id: row
            for row in Disclosure.objects.select_for_update().filter(
                viewer_network_id=viewer_network_id,
                day=today,
                membership_id__in=[s.membership_id for s in shown],
            )
        }
        new, changed = [], []
        for item in shown:
            row = existing.get(item.membership_id)
            if row is None:
                new.append(
                    Disclosure(
                        network_id=item.network_id,
                        membership_id=item.membership_id,
                        viewer_network_id=viewer_network_id,
                        day=today,
                        fields=sorted(set(item.fields)),
                        views=1,
                        consent=item.consent,
                        basis=item.basis,
                        room_member=item.room_member,
                        link=item.link,
                        first_at=now,
                        last_at=now,
                    )
                )
            else:
                row.fields = sorted(set(row.fields) | set(item.fields))
                row.views += 1
                row.last_at = now
                changed.append(row)
        if new:
            Disclosure.objects.bulk_create(new, ignore_conflicts=True)
            # A page opened twice at once: the other request inserted a row first (this insert
            # waited for it, then did nothing). Its row takes this view's fields and count.
            fields_of = {item.membership_id: item for item in new}
            for row in Disclosure.objects.select_for_update().filter(
                viewer_network_id=viewer_network_id, day=today, membership_id__in=fields_of
            ):
                if row.first_at != now:
                    row.fields = sorted(set(row.fields) | set(fields_of[row.membership_id].fields))
                    row.views += 1
                    row.last_at = now
                    changed.append(row)
        if changed:
            Disclosure.objects.bulk_update(changed, ["fields", "views", "last_at"])


def retention_cutoff(now: datetime | None = None) -> date:
    moment = timezone.localtime(now or timezone.now())
    return months_before(moment, RETENTION_YEARS * 12).date()


def purge_disclosures(now: datetime | None = None) -> int:
    """Deletes the rows of days before the retention period, a batch per transaction."""
    cutoff = retention_cutoff(now)
    deleted = 0
    with scopes_disabled():
        while True:
            ids = list(
                Disclosure.objects.filter(day__lt=cutoff)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                return deleted
            with transaction.atomic():
                count, _per_model = Disclosure.objects.filter(pk__in=ids).delete()
            deleted += count
