"""Invitation e-mails, sent in the background at a limited rate, and their reminder."""

from __future__ import annotations

import logging
from datetime import timedelta
from smtplib import SMTPException

from celery import shared_task
from django.db.models import Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.tenancy.models import Network

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
    """Sends each queued invitation once and records whether the mail server took it."""
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return 0
    sent = 0
    with scope(network=network):
        wanted = InvitationStatus.SENT if reminder else InvitationStatus.QUEUED
        for invitation in Invitation.objects.filter(
            network=network, pk__in=invitation_ids, status=wanted
        ).select_related("network", "invited_by__user"):
            now = timezone.now()
            try:
                send_invitation_mail(invitation, reminder=reminder)
            except (SMTPException, OSError) as error:
                logger.warning("invitation %s not delivered: %s", invitation.pk, error)
                Invitation.objects.filter(pk=invitation.pk).update(
                    status=InvitationStatus.FAILED, error=str(error)[:200]
                )
                continue
            fields = {"status": InvitationStatus.SENT, "error": ""}
            fields["expires_at"] = now + timedelta(days=INVITATION_VALID_DAYS)  # type: ignore[assignment]
            if reminder:
                fields["reminded_at"] = now  # type: ignore[assignment]
            else:
                fields["sent_at"] = now  # type: ignore[assignment]
            Invitation.objects.filter(pk=invitation.pk).update(**fields)
            sent += 1
    return sent


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
        due = list(
            Invitation.objects.filter(
                status=InvitationStatus.SCHEDULED, send_on__lte=today, network__is_active=True
            ).values_list("network_id", "pk")
        )
        Invitation.objects.filter(pk__in=[pk for _n, pk in due]).update(
            status=InvitationStatus.QUEUED
        )
    by_network: dict[int, list[int]] = {}
    for network_id, pk in due:
        by_network.setdefault(network_id, []).append(pk)
    return sum(send_invitations(n, ids) for n, ids in by_network.items())


@shared_task(acks_late=True)
def send_application_decision(network_id: int, application_id: int) -> None:
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return
    with scope(network=network):
        application = (
            Application.objects.filter(network=network, pk=application_id)
            .select_related("user", "network")
            .first()
        )
        if application is not None and application.status != "pending":
            send_decision_mail(application)


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
