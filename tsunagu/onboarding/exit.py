"""The exit interview (退職面談): HR shows a leaver a QR code; the leaver registers a private
address on their own phone, reads the purpose of use and agrees; the invitation goes there on
the leaving date. The code is single use and valid 30 days."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.audit.models import AuditAction, record
from tsunagu.tenancy.access import check_operator_permission
from tsunagu.tenancy.models import Membership, Network

from .actions import _queue_sending, member_emails
from .donotinvite import is_blocked, normal_address
from .models import ExitCode, Invitation, InvitationStatus, Source


class CodeProblem(Exception):
    """A code that cannot be used: the message is for the leaver."""


def do_create_exit_code(actor: Membership, *, name: str, left_on: date) -> ExitCode:
    check_operator_permission(actor)
    code = ExitCode.objects.create(
        network_id=actor.network_id,
        name=name,
        left_on=left_on,
        created_by_id=actor.user_id,
        expires_at=timezone.now() + ExitCode.VALID,
    )
    record(actor, AuditAction.CREATE_LINK, kind="exit", left_on=left_on.isoformat())
    return code


def code_problem(code: ExitCode | None) -> str | None:
    if code is None:
        return _("This code is not valid. Ask the office for a new one.")
    if code.used_at is not None:
        return _("This code has already been used. Your registration was received.")
    if code.expires_at <= timezone.now():
        return _("This code has expired. Ask the office for a new one.")
    return None


@transaction.atomic
def do_register_at_exit(network: Network, token: str, data: dict[str, Any]) -> ExitCode:
    """The leaver's registration: an invitation to the private address on the leaving date,
    with the time they agreed. A code used twice (two taps) registers once."""
    code = ExitCode.objects.select_for_update().filter(network=network, token=token[:40]).first()
    problem = code_problem(code)
    if problem:
        raise CodeProblem(problem)
    assert code is not None
    email = normal_address(data["email"])
    now = timezone.now()
    today = timezone.localdate()
    invitation: Invitation | None = None
    already_member = email in member_emails(network.pk)
    if not already_member and not is_blocked(network.pk, email):
        invitation, _created = Invitation.objects.get_or_create(
            network=network, email=email, defaults={"source": Source.EXIT_INTERVIEW}
        )
        if invitation.status in (InvitationStatus.NEW, InvitationStatus.SCHEDULED):
            invitation.name = data.get("name") or invitation.name or code.name
            invitation.left_on = code.left_on
            invitation.consented_at = now
            invitation.send_on = max(code.left_on, today)
            invitation.status = InvitationStatus.SCHEDULED
            invitation.save()
            if invitation.send_on <= today:
                Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.QUEUED)
                _queue_sending(network.pk, [invitation.pk])
    # The leaver is thanked alike whatever happened: the page never tells who is a member or
    # on the do-not-invite list.
    code.used_at = now
    code.invitation = invitation
    code.save(update_fields=["used_at", "invitation"])
    return code
