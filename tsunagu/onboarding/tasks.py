"""Invitation e-mails, sent in the background at a limited rate, and their reminder."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from celery import Task, shared_task
from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.accounts import delivery
from tsunagu.tenancy.models import Network

from .actions import do_turn_into_alumni
from .donotinvite import is_blocked
from .mails import send_decision_mail, send_invitation_mail
from .models import (
    INVITATION_VALID_DAYS,
    Application,
    ImportBatch,
    Invitation,
    InvitationStatus,
)

logger = logging.getLogger(__name__)
REMIND_AFTER = timedelta(days=7)
# HR's file is kept only while its columns are being mapped: an upload left unimported this long
# is deleted, as an imported one is at once.
UPLOAD_KEPT = timedelta(days=7)


@shared_task(acks_late=True)
def send_invitations(network_id: int, invitation_ids: list[int], reminder: bool = False) -> int:
    """Queues one task per invitation of this chunk (the chunks keep the sending rate): each
    address is tried, retried and refused on its own."""
    for invitation_id in invitation_ids:
        send_invitation.delay(network_id, invitation_id, reminder)
    return len(invitation_ids)


# After the mail server answered, its answer must be stored: a write the database refuses for a
# moment (SQLite busy with another writer, a failover) is tried again rather than leaving the
# invitation "sending" with the answer lost.
WRITE_TRIES = 5


def record(due: Any, **fields: Any) -> int:
    for attempt in range(1, WRITE_TRIES + 1):
        try:
            return int(due.update(**fields))
        except OperationalError:
            if attempt == WRITE_TRIES:
                raise
            time.sleep(0.2 * attempt)
    return 0


@shared_task(bind=True, acks_late=True)
def send_invitation(
    task: Task, network_id: int, invitation_id: int, reminder: bool = False
) -> bool:
    """Sends the invitation (or its reminder) once and records what the mail server answered:
    ``sent``; ``queued`` with its answer while it is tried again; ``failed`` with the answer
    when it refused the address or the tries are spent."""
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return False
    with scope(network=network):
        due = Invitation.objects.filter(network=network, pk=invitation_id)
        if reminder:
            due = due.filter(status=InvitationStatus.SENT, reminded_at__isnull=True)
        else:
            due = due.filter(status=InvitationStatus.QUEUED)
        try:
            claimed = delivery.claim(due, "sending_since")
        except OperationalError as busy:
            # The database would not take the write (SQLite locked by another writer, a
            # failover): nothing is claimed yet, so trying again shortly is safe.
            if task.request.is_eager or task.request.called_directly:
                raise
            raise task.retry(exc=busy, countdown=1, max_retries=delivery.RETRIES) from busy
        if not claimed:
            return False  # sent, revoked, accepted, or a copy of this task is sending it
        invitation = Invitation.objects.select_related("network", "invited_by__user").get(
            pk=invitation_id
        )
        if is_blocked(network_id, invitation.email):
            # Put on the list after it was queued: it is not sent.
            record(due, sending_since=None, status=InvitationStatus.BLOCKED)
            return False
        try:
            send_invitation_mail(invitation, reminder=reminder)
        except delivery.Undelivered as failure:
            # Still "sending", with the server's answer, while a retry waits; failed otherwise.
            record(due, sending_since=None, error=failure.reason)
            if not failure.address_refused:  # a refused address is noted by delivery
                delivery.retry_later(task, failure)
            logger.warning("invitation %s not delivered: %s", invitation_id, failure.reason)
            record(due, status=InvitationStatus.FAILED)
            return False
        now = timezone.now()
        fields = {"status": InvitationStatus.SENT, "error": "", "sending_since": None}
        fields["expires_at"] = now + timedelta(days=INVITATION_VALID_DAYS)  # type: ignore[assignment]
        if reminder:
            fields["reminded_at"] = now  # type: ignore[assignment]
        else:
            fields["sent_at"] = now  # type: ignore[assignment]
        record(due, **fields)  # unless revoked meanwhile
        delivery.forget_refusal(invitation.email)
        return True


@shared_task(acks_late=True)
def send_invitation_reminders() -> int:
    """One reminder, a week after the invitation, to those who have not joined. Run daily."""
    now = timezone.now()
    with scopes_disabled():
        due = list(
            Invitation.objects.filter(
                status=InvitationStatus.SENT,
                reminded_at__isnull=True,
                sent_at__lte=now - REMIND_AFTER,
                network__is_active=True,
            )
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .values_list("network_id", "pk")
        )
    by_network: dict[int, list[int]] = {}
    for network_id, pk in due:
        by_network.setdefault(network_id, []).append(pk)
    return sum(send_invitations(n, ids, reminder=True) for n, ids in by_network.items())


@shared_task(acks_late=True)
def send_scheduled_invitations() -> int:
    """Leavers announced by HR are invited on their leaving date. Run hourly."""
    today = timezone.localdate()
    with scopes_disabled():
        scheduled = Invitation.objects.filter(
            status=InvitationStatus.SCHEDULED, send_on__lte=today, network__is_active=True
        )
        # An employee member who left: no invitation, they become alumni.
        leaving = list(scheduled.filter(membership__isnull=False).values_list("pk", flat=True))
        due = list(scheduled.filter(membership__isnull=True).values_list("network_id", "pk"))
    for invitation_id in leaving:
        do_turn_into_alumni(invitation_id)
    with scopes_disabled():
        Invitation.objects.filter(pk__in=[pk for _n, pk in due]).update(
            status=InvitationStatus.QUEUED
        )
    by_network: dict[int, list[int]] = {}
    for network_id, pk in due:
        by_network.setdefault(network_id, []).append(pk)
    return sum(send_invitations(n, ids) for n, ids in by_network.items())


@shared_task(bind=True, acks_late=True)
def send_application_decision(task: Task, network_id: int, application_id: int) -> None:
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return
    with scope(network=network):
        application = (
            Application.objects.filter(network=network, pk=application_id)
            .select_related("user", "network")
            .first()
        )
        if application is None or application.status == "pending":
            return
        address = application.user.email
        try:
            send_decision_mail(application)
        except delivery.Undelivered as failure:
            if failure.address_refused:
                return  # noted by delivery
            delivery.retry_later(task, failure)
            logger.warning("decision on application %s not sent: %s", application_id, failure)
            return
        delivery.forget_refusal(address)


@shared_task(acks_late=True)
def forget_abandoned_uploads() -> int:
    """Deletes roster files uploaded but never imported. Run daily."""
    from tsunagu.core.storage import private_storage

    with scopes_disabled():
        abandoned = list(
            ImportBatch.objects.filter(
                state=ImportBatch.State.MAPPING, created_at__lt=timezone.now() - UPLOAD_KEPT
            )
            .exclude(file="")
            .values_list("pk", "file")
        )
        for pk, name in abandoned:
            private_storage.delete(name)
            ImportBatch.objects.filter(pk=pk).update(file="")
    return len(abandoned)


@shared_task
def forget_old_hook_calls() -> int:
    """Idempotency keys of the HR hook are honoured for a week. Run daily."""
    from .hook import forget_old_calls

    with scopes_disabled():
        return forget_old_calls()
