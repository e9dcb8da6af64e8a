"""Delivering an announcement: the send's rows are queued in chunks, one chunk a minute at the
site's rate for bulk mail; each row is claimed (accounts/delivery.claim) before its mail goes, so
a chunk delivered twice, two workers or a run restarted after a crash mail no one twice.

When no row waits any more, the send is done: its counts are stored and recorded in the audit
log once. A send whose tasks were lost (the broker restarted, a worker died) is queued again by
``resume_announcements`` (beat)."""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import Enum
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.accounts import delivery
from tsunagu.accounts.models import UndeliverableAddress, User
from tsunagu.audit.models import AuditAction, record, record_system
from tsunagu.notify.actions import notify
from tsunagu.tenancy.models import Membership, Network, Status

from .actions import chunk_size
from .mail import announcement_message
from .models import Announcement, Delivery, DeliveryState, State
from .prefs import KIND, declining, wants_announcements

logger = logging.getLogger(__name__)

IN_PROGRESS = (State.QUEUED, State.SENDING)


class Outcome(Enum):
    SENT = "sent"
    SKIPPED = "skipped"  # the member turned announcements off
    GONE = "gone"  # no longer an active member
    BUSY = "busy"  # another worker holds the row
    WAITING = "waiting"  # the mail server will be asked again
    FAILED = "failed"


def _network(network_id: int) -> Network | None:
    return Network.objects.filter(pk=network_id, is_active=True).first()


@shared_task(acks_late=True)
def plan_announcement(network_id: int, announcement_id: int) -> int:
    """Queues the send's rows that nobody holds, one chunk a minute; run again (by beat, or the
    broker after a crash) it queues only what is still unsent."""
    network = _network(network_id)
    if network is None:
        return 0
    with scope(network=network):
        announcement = Announcement.objects.filter(
            network=network, pk=announcement_id, state__in=IN_PROGRESS
        ).first()
        if announcement is None:
            return 0
        _notify_in_app(network, announcement)
        now = timezone.now()
        stale = now - delivery.SENDING_EXPIRES
        ids = list(
            Delivery.objects.filter(
                network=network, announcement=announcement, state=DeliveryState.PENDING
            )
            .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=stale))
            .filter(Q(retry_at__isnull=True) | Q(retry_at__lt=stale))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        size = chunk_size()
        chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
        Announcement.objects.filter(pk=announcement.pk, state__in=IN_PROGRESS).update(
            state=State.SENDING, last_chunk_due_at=now + timedelta(minutes=max(len(chunks) - 1, 0))
        )
        for index, chunk in enumerate(chunks):
            send_announcement_chunk.apply_async(
                (network_id, announcement_id, chunk), countdown=60 * index
            )
        if not chunks:
            finish_if_done(network, announcement_id)
    return len(ids)


def _notify_in_app(network: Network, announcement: Announcement) -> None:
    """The announcement in every recipient's notifications, once: also for those who turned its
    e-mail off."""
    if not Announcement.objects.filter(pk=announcement.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    ):
        return
    user_ids = list(
        Delivery.objects.filter(network=network, announcement=announcement).values_list(
            "user_id", flat=True
        )
    )
    own = announcement.source_url.removeprefix(settings.SITE_URL)
    notify(
        network,
        user_ids,
        KIND,
        params={"title": announcement.subject},
        body=announcement.body,
        url=own if own.startswith(f"/n/{network.slug}/") else "",
        mail=False,
    )


@shared_task(acks_late=True)
def send_announcement_chunk(
    network_id: int, announcement_id: int, delivery_ids: list[int]
) -> dict[str, int]:
    """Mails one chunk of a send, each row claimed on its own. What the chunk's members have in
    common (memberships, preferences, refused addresses) is asked once."""
    counts: dict[str, int] = {}
    network = _network(network_id)
    if network is None:
        return counts
    with scope(network=network):
        announcement = Announcement.objects.filter(
            network=network, pk=announcement_id, state__in=IN_PROGRESS
        ).first()
        if announcement is None:
            return counts
        rows = list(
            Delivery.objects.filter(
                network=network,
                announcement=announcement,
                pk__in=delivery_ids,
                state=DeliveryState.PENDING,
            )
            .select_related("user")
            .order_by("pk")
        )
        user_ids = [row.user_id for row in rows]
        members = set(
            Membership.objects.filter(
                network=network, user_id__in=user_ids, status=Status.ACTIVE, user__is_active=True
            ).values_list("user_id", flat=True)
        )
        declined = declining(network, user_ids)
        refused = delivery.refusals_of([row.user.email for row in rows])
        for row in rows:
            pending = Delivery.objects.filter(pk=row.pk, state=DeliveryState.PENDING)
            if not delivery.claim(pending, "sending_since"):
                outcome = Outcome.BUSY
            else:
                outcome = _deliver(
                    network,
                    announcement,
                    row,
                    member=row.user_id in members,
                    wants=row.user_id not in declined,
                    refused=refused.get(row.user.email.lower()),
                )
            counts[outcome.value] = counts.get(outcome.value, 0) + 1
        finish_if_done(network, announcement_id)
    return counts


def _deliver(
    network: Network,
    announcement: Announcement,
    row: Delivery,
    *,
    member: bool,
    wants: bool,
    refused: UndeliverableAddress | None,
    task: Task | None = None,
) -> Outcome:
    """Sends the claimed row's mail and records what became of it."""
    pending = Delivery.objects.filter(pk=row.pk, state=DeliveryState.PENDING)
    if not member:
        pending.update(state=DeliveryState.GONE, sending_since=None)
        return Outcome.GONE
    if not wants:
        pending.update(state=DeliveryState.SKIPPED, sending_since=None)
        return Outcome.SKIPPED
    if refused is not None:
        # Mailbox providers count mail sent to refusing addresses against the sender.
        pending.update(
            state=DeliveryState.FAILED,
            sending_since=None,
            error=f"not sent: the address refused mail ({refused.reason})"[:200],
        )
        return Outcome.FAILED
    try:
        delivery.deliver(announcement_message(network, announcement, row.user))
    except delivery.Undelivered as failure:  # a refused address is noted by delivery
        if failure.final:
            pending.update(state=DeliveryState.FAILED, sending_since=None, error=failure.reason)
            return Outcome.FAILED
        # The retry comes within the longest pause; after that, a new plan may take the row.
        retry_at = timezone.now() + timedelta(seconds=delivery.LONGEST_PAUSE)
        pending.update(sending_since=None, error=failure.reason, retry_at=retry_at)
        if task is None:
            retry_announcement.apply_async((network.pk, row.pk), countdown=delivery.pause(0))
            return Outcome.WAITING
        delivery.retry_later(task, failure)
        pending.update(state=DeliveryState.FAILED)  # the tries are spent
        return Outcome.FAILED
    pending.update(
        state=DeliveryState.SENT,
        sent_at=timezone.now(),
        sending_since=None,
        retry_at=None,
        error="",
    )
    return Outcome.SENT


@shared_task(bind=True, acks_late=True)
def retry_announcement(task: Task, network_id: int, delivery_id: int) -> str:
    """Tries one member's mail again after the mail server did not take it, with the pauses of
    accounts/delivery.py; asks again whether the member still is one and still wants it."""
    network = _network(network_id)
    if network is None:
        return Outcome.GONE.value
    with scope(network=network):
        row = (
            Delivery.objects.filter(
                network=network,
                pk=delivery_id,
                state=DeliveryState.PENDING,
                announcement__state__in=IN_PROGRESS,
            )
            .select_related("user", "announcement")
            .first()
        )
        if row is None:
            return Outcome.BUSY.value
        pending = Delivery.objects.filter(pk=row.pk, state=DeliveryState.PENDING)
        if not delivery.claim(pending, "sending_since"):
            return Outcome.BUSY.value
        member = Membership.objects.filter(
            network=network, user_id=row.user_id, status=Status.ACTIVE, user__is_active=True
        ).exists()
        outcome = _deliver(
            network,
            row.announcement,
            row,
            member=member,
            wants=wants_announcements(network, row.user_id),
            refused=delivery.refusal_of(row.user.email),
            task=task,
        )
        finish_if_done(network, row.announcement_id)
        return outcome.value


def finish_if_done(network: Network, announcement_id: int) -> bool:
    """Once no row waits, stores the send's counts and records them in the audit log (once,
    whichever worker gets here first)."""
    rows = Delivery.objects.filter(network=network, announcement_id=announcement_id)
    if rows.filter(state=DeliveryState.PENDING).exists():
        return False
    counts = dict(rows.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    done = Announcement.objects.filter(
        network=network, pk=announcement_id, state__in=IN_PROGRESS
    ).update(
        state=State.DONE,
        finished_at=timezone.now(),
        sent_count=counts.get(DeliveryState.SENT, 0),
        skipped_count=counts.get(DeliveryState.SKIPPED, 0),
        failed_count=counts.get(DeliveryState.FAILED, 0),
        gone_count=counts.get(DeliveryState.GONE, 0),
    )
    if not done:
        return False
    announcement = Announcement.objects.select_related("sent_by__user").get(pk=announcement_id)
    detail: dict[str, Any] = {
        "subject": announcement.subject,
        "audience": announcement.audience_size,
        "sent": announcement.sent_count,
        "skipped": announcement.skipped_count,
        "failed": announcement.failed_count,
        "gone": announcement.gone_count,
    }
    if announcement.sent_by is not None:
        record(announcement.sent_by, AuditAction.ANNOUNCEMENT_DELIVERED, **detail)
    else:
        record_system(
            network, announcement.sent_by_name, AuditAction.ANNOUNCEMENT_DELIVERED, **detail
        )
    return True


@shared_task(bind=True, acks_late=True)
def send_test_announcement(task: Task, network_id: int, announcement_id: int, user_id: int) -> str:
    """The operator's test mail: to their own address only, marked as a test in the subject."""
    network = _network(network_id)
    if network is None:
        return Outcome.GONE.value
    with scope(network=network):
        announcement = Announcement.objects.filter(network=network, pk=announcement_id).first()
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if announcement is None or user is None:
            return Outcome.GONE.value
        try:
            delivery.deliver(announcement_message(network, announcement, user, test=True))
        except delivery.Undelivered as failure:
            logger.warning("the test announcement to %s was not sent: %s", user_id, failure)
            delivery.retry_later(task, failure)
            return Outcome.FAILED.value
    return Outcome.SENT.value


@shared_task(acks_late=True)
def resume_announcements() -> int:
    """Run by beat: queues again each send still unfinished a while after its last chunk was
    due (its tasks were lost); the rows' claims keep anyone from getting it twice."""
    stale = timezone.now() - delivery.SENDING_EXPIRES
    with scopes_disabled():
        lost = list(
            Announcement.objects.filter(
                state__in=IN_PROGRESS, network__is_active=True, last_chunk_due_at__lt=stale
            ).values_list("network_id", "pk")
        )
    for network_id, announcement_id in lost:
        plan_announcement.delay(network_id, announcement_id)
    return len(lost)
