"""Every write of the privacy pages: exports asked for, erasures scheduled and cancelled."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tsunagu.accounts.models import User
from tsunagu.core.queue import queue_after_commit

from .access import check_erasure_permission, next_export_at, pending_erasure
from .models import DataExport, Erasure


@transaction.atomic
def do_request_export(user: User) -> DataExport:
    """One request per 24 hours; the ZIP is built in the background and its link mailed."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # two clicks: one export
    next_at = next_export_at(user)
    if next_at is not None:
        raise ValidationError(
            _("You asked for your data less than 24 hours ago. You can ask again from %(when)s.")
            % {"when": date_format(timezone.localtime(next_at), "DATETIME_FORMAT")},
            code="too_soon",
        )
    export = DataExport.objects.create(user=user)
    from .tasks import build_export

    queue_after_commit(build_export, export.pk)
    return export


@transaction.atomic
def do_schedule_erasure(user: User, *, keep_posts: bool) -> Erasure:
    """The caller has checked the password. Refused to the last operator of a network."""
    check_erasure_permission(user)
    existing = pending_erasure(user)
    if existing is not None:
        return existing
    erasure = Erasure.objects.create(
        user=user,
        keep_posts=keep_posts,
        due_at=timezone.now() + timedelta(days=settings.ERASURE_GRACE_DAYS),
    )
    from .tasks import mail_erasure_news

    queue_after_commit(mail_erasure_news, erasure.pk)
    return erasure


@transaction.atomic
def do_cancel_erasure(user: User) -> Erasure | None:
    erasure = pending_erasure(user)
    if erasure is None:
        return None
    erasure.cancelled_at = timezone.now()
    erasure.save(update_fields=["cancelled_at"])
    from .tasks import mail_erasure_news

    queue_after_commit(mail_erasure_news, erasure.pk)
    return erasure
