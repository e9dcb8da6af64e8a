"""Every write of announcements: drafts, the monthly cap, previews (audited), test mails and the
send, which fixes the audience and queues the delivery."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.audit.models import AuditAction, record
from tsunagu.core.queue import queue_after_commit
from tsunagu.tenancy.models import Membership

from .access import check_announce_permission
from .audience import announcement_audience
from .limits import sent_this_month
from .models import Announcement, AnnounceSettings, Delivery, State

CONTENT_FIELDS = ("subject", "body", "source_url", "audience", "left_from", "left_to", "department")


class AlreadySent(Exception):  # noqa: N818 - an outcome the page explains
    """The announcement left its draft state: it cannot change or be sent again."""


def chunk_size() -> int:
    """Mails handed to the server per minute: the site's rate for bulk mail."""
    return max(1, settings.INVITATION_EMAILS_PER_MINUTE)


@transaction.atomic
def do_save_draft(operator: Membership, key: uuid.UUID, data: dict[str, Any]) -> Announcement:
    """Creates the draft the composer's form names; the same form posted again (a double click,
    a reload) answers the draft it made the first time."""
    check_announce_permission(operator)
    existing = Announcement.objects.filter(network_id=operator.network_id, key=key).first()
    if existing is not None:
        return existing
    content = {name: data[name] for name in CONTENT_FIELDS}
    try:
        with transaction.atomic():
            return Announcement.objects.create(
                network_id=operator.network_id, author=operator, key=key, **content
            )
    except IntegrityError:  # the same form, posted at the same moment by the other click
        return Announcement.objects.get(network_id=operator.network_id, key=key)


@transaction.atomic
def do_edit_draft(
    operator: Membership, announcement: Announcement, data: dict[str, Any]
) -> Announcement:
    check_announce_permission(operator)
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if locked.state != State.DRAFT:
        raise AlreadySent
    for name in CONTENT_FIELDS:
        setattr(locked, name, data[name])
    locked.revision += 1
    locked.save()
    return locked


@transaction.atomic
def do_delete_draft(operator: Membership, announcement: Announcement) -> None:
    check_announce_permission(operator)
    if not Announcement.objects.filter(pk=announcement.pk, state=State.DRAFT).delete()[0]:
        raise AlreadySent


@transaction.atomic
def do_set_monthly_cap(operator: Membership, cap: int) -> AnnounceSettings:
    check_announce_permission(operator)
    row, _new = AnnounceSettings.objects.select_for_update().get_or_create(
        network_id=operator.network_id
    )
    before = row.monthly_cap
    row.monthly_cap = cap
    row.save()
    if before != cap:
        record(operator, AuditAction.ANNOUNCEMENT_SETTINGS, before=before, after=cap)
    return row


@transaction.atomic
def do_preview(operator: Membership, announcement: Announcement, member: Membership) -> None:
    """The operator looks at the mail as one member would get it; recorded like the digest's
    preview, as it shows a member's name and language."""
    check_announce_permission(operator)
    record(
        operator,
        AuditAction.PREVIEW_ANNOUNCEMENT,
        target=member,
        subject=announcement.subject,
    )


@transaction.atomic
def do_note_audience_listed(
    operator: Membership, announcement: Announcement, query: str, shown: int
) -> None:
    """The preview's search lists members of the audience by name: recorded, as the roster's
    views are, with what was searched and how many were shown."""
    check_announce_permission(operator)
    record(
        operator,
        AuditAction.LIST_AUDIENCE,
        subject=announcement.subject,
        q=query[:100],
        count=shown,
    )


def do_send_test(operator: Membership, announcement: Announcement) -> str:
    """Mails the announcement to the operator alone, marked as a test; it does not count
    against the monthly cap and leaves the draft as it is. Answers the address."""
    check_announce_permission(operator)
    from .tasks import send_test_announcement

    queue_after_commit(
        send_test_announcement, operator.network_id, announcement.pk, operator.user_id
    )
    return operator.user.email


@transaction.atomic
def do_send_announcement(
    operator: Membership, announcement: Announcement, key: uuid.UUID, revision: int
) -> bool:
    """Sends the draft to its audience: one delivery row per member, created here, then mailed
    in chunks by the tasks. False when it was sent already (the same form posted twice).

    Refused with ValidationError: an empty audience, the monthly cap reached, a form for
    another version of the draft."""
    check_announce_permission(operator)
    if key != announcement.key:
        raise ValidationError(_("This form does not belong to this announcement."))
    # One send at a time per network, so that two sends cannot both take the month's last place.
    AnnounceSettings.objects.get_or_create(network_id=operator.network_id)
    cap = AnnounceSettings.objects.select_for_update().get(network_id=operator.network_id)
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if locked.state != State.DRAFT:
        return False
    if revision != locked.revision:
        raise ValidationError(
            _("The announcement was changed after you opened this page. Check it, then send it.")
        )
    user_ids = list(announcement_audience(locked).values_list("user_id", flat=True))
    if not user_ids:
        raise ValidationError(_("Nobody is in this audience: choose another one before sending."))
    now = timezone.now()
    if sent_this_month(operator.network, now) >= cap.monthly_cap:
        raise ValidationError(
            _(
                "This network has sent its %(cap)d announcements for this month. The limit "
                "protects members from too much mail; an operator can change it on the list of "
                "announcements."
            )
            % {"cap": cap.monthly_cap}
        )
    Delivery.objects.bulk_create(
        [
            Delivery(network_id=locked.network_id, announcement=locked, user_id=user_id)
            for user_id in user_ids
        ],
        batch_size=1000,
    )
    chunks = -(-len(user_ids) // chunk_size())
    locked.state = State.QUEUED
    locked.queued_at = now
    locked.sent_by = operator
    locked.sent_by_name = operator.user.name
    locked.audience_size = len(user_ids)
    locked.last_chunk_due_at = now + timedelta(minutes=chunks - 1)
    locked.save()
    record(
        operator,
        AuditAction.SEND_ANNOUNCEMENT,
        subject=locked.subject,
        audience=len(user_ids),
        audience_kind=locked.audience,
    )
    from .tasks import plan_announcement

    queue_after_commit(plan_announcement, locked.network_id, locked.pk)
    announcement.state = locked.state
    return True
