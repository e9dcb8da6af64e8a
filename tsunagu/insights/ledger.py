"""The outcome ledger (成果台帳): what the network produced, recorded by the operators.

Every write is here (``do_*`` and ``propose_outcome``), each refusing an outcome dated in the
future or with a negative value, whoever calls it. The members an outcome names are for the
operators' eyes only: every page and file that shows them checks the operator permission.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_scopes import scope

from tsunagu.audit.models import AuditAction, record
from tsunagu.core.csvsafe import csv_safe
from tsunagu.tenancy.access import access_in_network, check_operator_permission
from tsunagu.tenancy.models import Membership, Status

from .programme_models import MAX_VALUE_YEN, Outcome, OutcomeKind, OutcomeMember, OutcomeStatus
from .supporters import today

# --- Who may --------------------------------------------------------------------------------


def check_ledger_permission(member: Membership) -> None:
    """The ledger, its names and its file: operators only."""
    check_operator_permission(member)


def access_outcome(member: Membership, outcome_id: object) -> Outcome:
    check_ledger_permission(member)
    return access_in_network(member, outcomes(member.network_id), outcome_id)


# --- Reads ----------------------------------------------------------------------------------


def outcomes(network_id: int) -> QuerySet[Outcome]:
    """The network's outcomes with the members they name, in two queries."""
    people = OutcomeMember.objects.select_related("member__user").order_by("id")
    return (
        Outcome.objects.filter(network_id=network_id)
        .select_related("recorded_by__user")
        .prefetch_related(Prefetch("people", queryset=people))
        .order_by("-on", "-id")
    )


def member_names(outcome: Outcome) -> list[str]:
    """The names of the members an outcome names; an erased one as 「退会したメンバー」."""
    return [
        person.member.user.name if person.member is not None else _("A member who left")
        for person in outcome.people.all()
    ]


# --- Rules ----------------------------------------------------------------------------------


def validate_outcome(kind: str, on: date, value_yen: int | None) -> None:
    errors: dict[str, str] = {}
    if kind not in OutcomeKind.values:
        errors["kind"] = _("Choose what kind of outcome it is.")
    if on > today():
        errors["on"] = _("An outcome cannot be dated in the future.")
    if value_yen is not None and value_yen < 0:
        errors["value_yen"] = _("The value cannot be negative.")
    elif value_yen is not None and value_yen > MAX_VALUE_YEN:
        errors["value_yen"] = _("The value is too large.")
    if errors:
        raise ValidationError(errors)


def _members(network_id: int, member_ids: Iterable[int]) -> list[Membership]:
    """The network's members among the ids; others are ignored."""
    ids = sorted({int(i) for i in member_ids})
    if not ids:
        return []
    return list(Membership.objects.filter(network_id=network_id, pk__in=ids))


def _set_members(outcome: Outcome, members: list[Membership]) -> None:
    # A member who erased their account stays named, anonymous: no form can name them again.
    OutcomeMember.objects.filter(outcome=outcome, member__isnull=False).delete()
    OutcomeMember.objects.bulk_create(
        [OutcomeMember(network_id=outcome.network_id, outcome=outcome, member=m) for m in members]
    )


def _audit_detail(outcome: Outcome) -> dict[str, str]:
    return {"label": str(OutcomeKind(outcome.kind).label), "name": outcome.on.isoformat()}


# --- Writes ---------------------------------------------------------------------------------


@transaction.atomic
def do_record_outcome(
    actor: Membership,
    *,
    kind: str,
    on: date,
    value_yen: int | None = None,
    note: str = "",
    members: Iterable[Membership] = (),
) -> Outcome:
    check_ledger_permission(actor)
    validate_outcome(kind, on, value_yen)
    outcome = Outcome.objects.create(
        network_id=actor.network_id,
        kind=kind,
        on=on,
        value_yen=value_yen,
        note=note.strip(),
        status=OutcomeStatus.CONFIRMED,
        recorded_by=actor,
    )
    _set_members(outcome, _members(actor.network_id, [m.pk for m in members]))
    record(actor, AuditAction.RECORD_OUTCOME, None, **_audit_detail(outcome))
    return outcome


@transaction.atomic
def do_update_outcome(
    actor: Membership,
    outcome: Outcome,
    *,
    kind: str,
    on: date,
    value_yen: int | None,
    note: str,
    members: Iterable[Membership],
) -> Outcome:
    check_ledger_permission(actor)
    if outcome.network_id != actor.network_id:
        raise PermissionDenied
    validate_outcome(kind, on, value_yen)
    outcome.kind, outcome.on, outcome.value_yen, outcome.note = kind, on, value_yen, note.strip()
    outcome.save(update_fields=["kind", "on", "value_yen", "note"])
    _set_members(outcome, _members(actor.network_id, [m.pk for m in members]))
    record(actor, AuditAction.CHANGE_OUTCOME, None, **_audit_detail(outcome))
    return outcome


@transaction.atomic
def do_decide_outcome(actor: Membership, outcome: Outcome, status: str) -> Outcome:
    """Confirms or dismisses an outcome (one proposed by another app, usually)."""
    check_ledger_permission(actor)
    if outcome.network_id != actor.network_id:
        raise PermissionDenied
    if status not in (OutcomeStatus.CONFIRMED, OutcomeStatus.DISMISSED):
        raise ValidationError(_("Unknown action."))
    outcome.status = status
    outcome.save(update_fields=["status"])
    record(actor, AuditAction.CHANGE_OUTCOME, None, status=status, **_audit_detail(outcome))
    return outcome


def propose_outcome(
    network_id: int,
    kind: str,
    on: date,
    source: str,
    source_id: int,
    member_ids: Iterable[int] = (),
) -> Outcome:
    """An outcome another app noticed (a hire through an opportunity), waiting for the
    operators to confirm or dismiss it. Proposed once per (source, source_id): a second call
    returns the first outcome unchanged, whatever the operators decided about it."""
    if not source or len(source) > 40:
        raise ValueError("A proposed outcome names its source.")
    validate_outcome(kind, on, None)
    with scope(network=network_id):
        found = Outcome.objects.filter(
            network_id=network_id, source=source, source_id=source_id
        ).first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                outcome = Outcome.objects.create(
                    network_id=network_id,
                    kind=kind,
                    on=on,
                    status=OutcomeStatus.PROPOSED,
                    source=source,
                    source_id=source_id,
                )
                members = Membership.objects.filter(
                    network_id=network_id, status=Status.ACTIVE, pk__in=list(member_ids)
                )
                _set_members(outcome, list(members))
        except IntegrityError:  # proposed at the same moment by another worker
            return Outcome.objects.get(network_id=network_id, source=source, source_id=source_id)
        return outcome


# --- The file -------------------------------------------------------------------------------


def export_header() -> list[str]:
    return [
        pgettext("outcome", "Date"),
        _("Kind"),
        pgettext("outcome", "Status"),
        _("Value (yen)"),
        _("Members"),
        _("Note"),
        _("Recorded by"),
    ]


def export_rows(network_id: int) -> Iterator[list[str]]:
    for outcome in outcomes(network_id):
        recorder = outcome.recorded_by.user.name if outcome.recorded_by else ""
        yield [
            outcome.on.isoformat(),
            str(outcome.get_kind_display()),
            str(outcome.get_status_display()),
            "" if outcome.value_yen is None else str(outcome.value_yen),
            "、".join(member_names(outcome)),
            outcome.note,
            recorder,
        ]


def export_csv(actor: Membership, encoding: str) -> bytes:
    """The ledger for Excel: UTF-8 with a BOM, or CP932; every cell safe from formulas."""
    check_ledger_permission(actor)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(export_header())
    rows = 0
    for row in export_rows(actor.network_id):
        # A note such as =HYPERLINK(...) must reach the spreadsheet as text, never a formula.
        writer.writerow([csv_safe(cell) for cell in row])
        rows += 1
    text = buffer.getvalue()
    record(actor, AuditAction.EXPORT_LEDGER, count=rows, encoding=encoding)
    if encoding == "utf-8":
        return ("\ufeff" + text).encode("utf-8")
    # Characters CP932 lacks (rare kanji, emoji) become "?"; the UTF-8 file keeps them all.
    return text.encode("cp932", errors="replace")
