"""The HR hook, second version: leavers one at a time or in batches of up to 500.

Each leaver gets a result of their own, so one bad row never stops the others. A leaver may
bring a private address and the time they agreed to be invited (at the exit interview); the
work address is never written to on or after the leaving date. ``do_not_invite`` puts the
addresses on the do-not-invite list. A leaver who is already an employee member becomes alumni
on the leaving date. ``Idempotency-Key`` makes a retried call harmless.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.audit.models import HR_SYSTEM, AuditAction, record_system
from tsunagu.tenancy.models import Membership, Network, Role, Status

from .actions import _queue_sending, member_emails
from .donotinvite import do_block, is_blocked
from .forms import OffboardingForm
from .models import DoNotInvite, HookCall, Invitation, InvitationStatus, Source

MAX_BATCH = 500
IMPORTED = ("name", "name_kana", "name_romaji", "department", "title", "joined_on", "left_on")
RETRACTABLE = (InvitationStatus.SCHEDULED, InvitationStatus.NEW)


class Refused(Exception):
    """A leaver that cannot be taken: the message is for the HR system's operator."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def receive_batch(network: Network, rows: list[Any]) -> list[dict[str, Any]]:
    """A result per row, in order; each row in its own savepoint."""
    results = []
    for index, raw in enumerate(rows):
        result: dict[str, Any] = {"index": index}
        if isinstance(raw, dict) and raw.get("external_id") is not None:
            result["external_id"] = str(raw.get("external_id"))[:100]
        try:
            with transaction.atomic():
                result.update(receive_one(network, raw))
        except Refused as refusal:
            result.update({"status": "rejected", "error": str(refusal)})
        except InvalidLeaver as invalid:
            result.update(
                {
                    "status": "rejected",
                    "error": _("Some fields are not valid."),
                    "fields": invalid.fields,
                }
            )
        results.append(result)
    return results


class InvalidLeaver(Exception):
    def __init__(self, fields: dict[str, Any]) -> None:
        super().__init__("invalid leaver")
        self.fields = fields


def clean(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidLeaver({"__all__": [{"message": _("Send one JSON object per leaver.")}]})
    form = OffboardingForm(
        {k: v if isinstance(v, str) else ("" if v is None else str(v)) for k, v in raw.items()}
    )
    if not form.is_valid():
        raise InvalidLeaver(form.errors.get_json_data())
    return form.cleaned_data


@transaction.atomic
def receive_one(network: Network, raw: Any, *, again: bool = False) -> dict[str, Any]:
    """One leaver. Two calls for the same leaver at once (a retry of a call that timed out):
    the one that does not insert the row updates it."""
    data = clean(raw)
    work, private = data["email"], data.get("private_email") or ""
    today = timezone.localdate()
    left_on = data.get("left_on")
    warnings: list[str] = []
    if private and private.rsplit("@", 1)[-1] == work.rsplit("@", 1)[-1]:
        warnings.append(
            _("The private address is on the company's own domain: it may stop working too.")
        )
    if data.get("do_not_invite"):
        do_block(network.pk, [a for a in (work, private) if a], DoNotInvite.Source.HR)
        record_system(network, HR_SYSTEM, AuditAction.DO_NOT_INVITE, added=1)
        return {"status": "blocked", "warnings": warnings}

    employee = _employee_member(network, work, private)
    if employee is not None:
        return _schedule_conversion(network, employee, data, warnings)
    if (private or work) in member_emails(network.pk) or work in member_emails(network.pk):
        raise Refused(_("This person is already a member of the network."))

    invitation = _find(network, data)
    if invitation is not None and invitation.status in (
        InvitationStatus.ACCEPTED,
        InvitationStatus.REVOKED,
    ):
        raise Refused(_("This person was already invited and has joined or was revoked."))
    if invitation is None:
        invitation = Invitation(network=network, email=private or work, source=Source.OFFBOARDING)
    elif private and invitation.email != private:
        if (
            Invitation.objects.filter(network=network, email=private)
            .exclude(pk=invitation.pk)
            .exists()
        ):
            raise Refused(_("Another invitation already uses this private address."))
        invitation.email = private
    for name in IMPORTED:
        if data.get(name) not in (None, ""):
            setattr(invitation, name, data[name])
    invitation.external_id = data.get("external_id") or invitation.external_id
    invitation.work_email = work
    if data.get("consent"):
        invitation.consented_at = data.get("consent_at") or timezone.now()
    waiting = invitation.status in (InvitationStatus.NEW, InvitationStatus.SCHEDULED)
    if waiting:
        if private:
            invitation.send_on = max(left_on or today, today)
            invitation.status = InvitationStatus.SCHEDULED
        elif left_on and left_on > today:
            # Only the work address: the last working day is the last day it may be used.
            invitation.send_on = max(left_on - timedelta(days=1), today)
            invitation.status = InvitationStatus.SCHEDULED
        else:
            invitation.send_on = None
            invitation.status = InvitationStatus.NEW
            warnings.append(
                _(
                    "The leaving date has come and only the work address is known: the "
                    "invitation waits for a private address."
                )
            )
    if is_blocked(network.pk, invitation.email) or (work and is_blocked(network.pk, work)):
        invitation.status = InvitationStatus.BLOCKED
    created = invitation.pk is None
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        if created and not again:
            return receive_one(network, raw, again=True)
        raise Refused(_("Another invitation already uses this address.")) from None
    record_system(
        network, HR_SYSTEM, AuditAction.OFFBOARDING, email=invitation.email, send_on=str(left_on)
    )
    if invitation.status == InvitationStatus.SCHEDULED and invitation.send_on <= today:  # type: ignore[operator]
        Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.QUEUED)
        invitation.status = InvitationStatus.QUEUED
        _queue_sending(network.pk, [invitation.pk])
    return {
        "id": invitation.pk,
        "created": created,
        "status": invitation.status,
        "send_on": invitation.send_on.isoformat() if invitation.send_on else None,
        "warnings": warnings,
    }


def _employee_member(network: Network, *addresses: str) -> Membership | None:
    return (
        Membership.objects.filter(
            network=network,
            user__email__in=[a for a in addresses if a],
            role=Role.EMPLOYEE,
            status=Status.ACTIVE,
        )
        .select_related("user")
        .first()
    )


def _schedule_conversion(
    network: Network, member: Membership, data: dict[str, Any], warnings: list[str]
) -> dict[str, Any]:
    """An employee member leaving: they become alumni on the leaving date (a scheduled row that
    names the membership; nothing is mailed)."""
    today = timezone.localdate()
    on = max(data.get("left_on") or today, today)
    invitation, created = Invitation.objects.get_or_create(
        network=network,
        email=member.user.email.lower(),
        defaults={"source": Source.OFFBOARDING, "membership": member},
    )
    invitation.membership = member
    invitation.external_id = data.get("external_id") or invitation.external_id
    invitation.work_email = data["email"]
    invitation.left_on = data.get("left_on")
    invitation.send_on = on
    invitation.status = InvitationStatus.SCHEDULED
    invitation.save()
    record_system(
        network, HR_SYSTEM, AuditAction.OFFBOARDING, target=member, becomes="alumni", on=str(on)
    )
    return {
        "id": invitation.pk,
        "created": created,
        "status": "becomes_alumni",
        "send_on": on.isoformat(),
        "warnings": warnings,
    }


def _find(network: Network, data: dict[str, Any]) -> Invitation | None:
    qs = Invitation.objects.filter(network=network)
    if data.get("external_id"):
        found = qs.filter(external_id=data["external_id"]).first()
        if found is not None:
            return found
    addresses = [a for a in (data.get("private_email"), data["email"]) if a]
    return qs.filter(email__in=addresses).first() or qs.filter(work_email=data["email"]).first()


@transaction.atomic
def retract(network: Network, *, external_id: str = "", email: str = "") -> dict[str, Any]:
    """HR withdraws a leaver that is still scheduled (they stayed after all)."""
    qs = Invitation.objects.select_for_update().filter(network=network, source=Source.OFFBOARDING)
    if external_id:
        invitation = qs.filter(external_id=external_id).first()
    else:
        address = email.strip().lower()
        invitation = qs.filter(email=address).first() or qs.filter(work_email=address).first()
    if invitation is None:
        raise Refused(_("No leaver with this id or address was announced."), status=404)
    if invitation.status not in RETRACTABLE:
        raise Refused(_("This invitation has already been sent and cannot be retracted."))
    if invitation.membership_id is not None:
        invitation.delete()  # the employee stays an employee
    else:
        invitation.status = InvitationStatus.REVOKED
        invitation.save(update_fields=["status"])
    record_system(network, HR_SYSTEM, AuditAction.REVOKE_INVITATION, count=1)
    return {"status": "retracted"}


def call_digest(method: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b"\n" + body).hexdigest()


def begin_call(network: Network, key: str, digest: str) -> HookCall | tuple[int, dict[str, Any]]:
    """The stored answer of a call already made with ``key``, or a new row to fill."""
    try:
        with transaction.atomic():
            return HookCall.objects.create(network=network, key=key[:200], digest=digest)
    except IntegrityError:
        pass
    earlier = HookCall.objects.get(network=network, key=key[:200])
    if earlier.digest != digest:
        return 409, {"error": _("This Idempotency-Key was used with another request body.")}
    if earlier.status == 0:
        return 409, {"error": _("A call with this Idempotency-Key is still running. Retry later.")}
    return earlier.status, earlier.response


def finish_call(call: HookCall, status: int, response: dict[str, Any]) -> None:
    HookCall.objects.filter(pk=call.pk).update(status=status, response=response)


def forget_old_calls() -> int:
    deleted, _ = HookCall.objects.filter(created_at__lt=timezone.now() - timedelta(days=7)).delete()
    return deleted
