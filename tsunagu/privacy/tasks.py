"""Background work of exports and erasures; each task takes ids and may run twice."""

from __future__ import annotations

import uuid

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.accounts.tasks import message_to_tasks, send_account_mail
from tsunagu.audit.models import AuditAction, record
from tsunagu.core.queue import queue_after_commit
from tsunagu.tenancy.models import Membership, Status

from .erasure import erase_account
from .exporting import build_archive
from .models import DataExport, Erasure


def _mail(user: User, template: str, context: dict[str, object]) -> None:
    """A mail to the person in their own language, sent as account mails are."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"user": user, "site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"privacy/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"privacy/email/{template}.txt", context)
    message = EmailMessage(subject=subject, body=body, to=[user.email])
    for payload in message_to_tasks(message):
        queue_after_commit(send_account_mail, payload)


@shared_task(acks_late=True)
def build_export(export_id: int) -> None:
    export = DataExport.objects.filter(pk=export_id, ready_at__isnull=True).first()
    if export is None:
        return
    user = User.objects.get(pk=export.user_id)
    content = build_archive(user.pk)
    export.file.save(f"exports/{uuid.uuid4().hex}.zip", ContentFile(content), save=False)
    export.size = len(content)
    export.ready_at = timezone.now()
    export.expires_at = export.ready_at + DataExport.VALID
    export.save(update_fields=["file", "size", "ready_at", "expires_at"])
    # The export is recorded in the log of every network the person belongs to.
    with scopes_disabled():
        for membership in Membership.objects.filter(user=user).exclude(status=Status.LEFT):
            record(membership, AuditAction.EXPORT_PERSONAL_DATA, target=membership)
    path = reverse("privacy:download", args=[export.pk])
    _mail(user, "export_ready", {"export": export, "url": f"{settings.SITE_URL}{path}"})


@shared_task
def delete_expired_exports() -> int:
    expired = DataExport.objects.filter(expires_at__lt=timezone.now())
    count = 0
    for export in expired:
        if export.file:
            export.file.delete(save=False)
        export.delete()
        count += 1
    return count


@shared_task
def mail_erasure_news(erasure_id: int) -> None:
    """Tells the person their erasure was scheduled, or cancelled."""
    erasure = Erasure.objects.filter(pk=erasure_id, done_at__isnull=True).first()
    if erasure is None:
        return
    user = User.objects.get(pk=erasure.user_id)
    template = "erasure_cancelled" if erasure.cancelled_at else "erasure_scheduled"
    url = f"{settings.SITE_URL}{reverse('privacy:delete')}"
    _mail(user, template, {"erasure": erasure, "url": url})


@shared_task(acks_late=True)
def erase_due_accounts() -> int:
    due = Erasure.objects.filter(
        due_at__lte=timezone.now(), cancelled_at__isnull=True, done_at__isnull=True
    ).values_list("pk", flat=True)
    done = 0
    for erasure_id in list(due):
        erase_account(erasure_id)
        done += 1
    return done
