"""Every write of onboarding: imports, invitations, links, applications and their decisions."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import uuid
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import HR_SYSTEM, INVITED_PERSON, AuditAction, record, record_system
from tsunagu.consent.actions import agreed_version, do_record_consent, policy_at
from tsunagu.consent.models import HowGiven, PolicyVersion
from tsunagu.core.queue import queue_after_commit
from tsunagu.core.storage import private_storage
from tsunagu.notify.actions import notify
from tsunagu.profiles.actions import profile_of
from tsunagu.profiles.indexing import reindex
from tsunagu.tenancy.access import check_operator_permission
from tsunagu.tenancy.actions import do_add_member, do_leave_the_company, do_note_seen
from tsunagu.tenancy.models import Membership, Network, Role, Status

from .access import (
    check_accept_invitation_permission,
    check_join_permission,
    check_may_admit,
    check_member_invite_permission,
    invitation_needs_approval,
    settings_of,
    verified_addresses,
)
from .donotinvite import blocked, do_block, do_unblock, is_blocked, normal_address
from .models import (
    Application,
    ApplicationStatus,
    DoNotInvite,
    ImportBatch,
    Invitation,
    InvitationStatus,
    InviteLink,
    OnboardingSettings,
    Source,
)
from .roster import (
    MAX_BYTES,
    RosterError,
    Row,
    Sheet,
    guess_mapping,
    iter_checked,
    read_roster,
    summarise,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from tsunagu.accounts.models import User

IMPORTED_FIELDS = [
    "name",
    "name_kana",
    "name_romaji",
    "department",
    "title",
    "joined_on",
    "left_on",
    "role",
]


# --- Roster import ------------------------------------------------------------------------------


def do_upload_roster(actor: Membership, upload: UploadedFile) -> ImportBatch:
    """Reads the file once to check it and find its columns; the import itself comes later."""
    check_operator_permission(actor)
    if upload.size is not None and upload.size > MAX_BYTES:
        raise RosterError(
            _("The file is larger than %(mb)d MB. Split it into several files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    data = upload.read(MAX_BYTES + 1)
    sheet = read_roster(data)
    try:
        mapping = guess_mapping(sheet.headers)
        # Every row is read once now: a file that breaks further down is refused at once.
        summary = summarise(sheet, mapping, member_emails(actor.network_id))
    finally:
        sheet.close()
    name = f"imports/{actor.network_id}/{uuid.uuid4().hex}.{sheet.kind}"
    stored = private_storage.save(name, ContentFile(data))
    return ImportBatch.objects.create(
        network_id=actor.network_id,
        created_by_id=actor.user_id,
        filename=(getattr(upload, "name", "") or "roster")[:200],
        file=stored,
        kind=sheet.kind,
        encoding=sheet.encoding,
        headers=sheet.headers,
        row_count=summary.rows,
        mapping=mapping,
        summary=summary.as_dict(),
    )


@contextlib.contextmanager
def open_sheet(batch: ImportBatch) -> Iterator[Sheet]:
    """The uploaded file, read as the operator chose; what the reading holds is freed after."""
    with private_storage.open(batch.file, "rb") as handle:
        sheet = read_roster(handle.read(), sheet=batch.sheet_index, header_line=batch.header_line)
    try:
        yield sheet
    finally:
        sheet.close()


def do_choose_header(
    actor: Membership, batch: ImportBatch, *, sheet: int | None, header_line: int | None
) -> Sheet:
    """Reads the file again from another sheet or header row; the columns are guessed anew.

    Raises RosterError, for the operator, when that sheet or row holds no header or no people.
    """
    check_operator_permission(actor)
    with private_storage.open(batch.file, "rb") as handle:
        found = read_roster(handle.read(), sheet=sheet, header_line=header_line)
    try:
        mapping = guess_mapping(found.headers)
        summary = summarise(found, mapping, member_emails(actor.network_id))
    finally:
        found.close()
    ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.MAPPING).update(
        sheet_index=sheet,
        header_line=header_line,
        headers=found.headers,
        row_count=summary.rows,
        mapping=mapping,
        summary=summary.as_dict(),
    )
    batch.refresh_from_db()
    return found


def member_emails(network_id: int) -> set[str]:
    """Addresses of the network's members, suspended and removed ones included; applicants
    still waiting are not members yet and may be in the roster, and members who left by their
    own choice may be invited again."""
    return set(
        Membership.objects.filter(network_id=network_id)
        .exclude(status=Status.PENDING)
        .exclude(status=Status.LEFT, left_by_choice=True)
        .annotate(email=Lower("user__email"))
        .values_list("email", flat=True)
    )


IMPORT_CHUNK = 1_000


def _import_chunk(
    actor: Membership,
    batch: ImportBatch,
    rows: list[Row],
    tally: dict[str, int],
    rejections: list[dict[str, object]],
) -> None:
    """Writes checked rows: new people are invited as new, known ones updated where changed."""
    if not rows:
        return
    emails = [row.email for row in rows]
    existing = {
        i.email: i for i in Invitation.objects.filter(network_id=actor.network_id, email__in=emails)
    }
    # On the do-not-invite list: imported (the office keeps its roster) but never invitable.
    stopped = blocked(actor.network_id, emails)
    to_create: list[Invitation] = []
    to_update: list[Invitation] = []
    for row in rows:
        found = existing.get(row.email)
        if found is None:
            to_create.append(
                Invitation(
                    network_id=actor.network_id,
                    email=row.email,
                    source=Source.ROSTER,
                    batch=batch,
                    status=(
                        InvitationStatus.BLOCKED if row.email in stopped else InvitationStatus.NEW
                    ),
                    **row.values,
                )
            )
            continue
        if found.status == InvitationStatus.REVOKED:
            rejections.append(
                {
                    "line": row.line,
                    "reason": _("This person's invitation was revoked; it stays revoked."),
                    "cells": [],
                }
            )
            continue
        if found.status == InvitationStatus.ACCEPTED:
            tally["unchanged"] += 1
            continue
        changed = [f for f in IMPORTED_FIELDS if getattr(found, f) != row.values[f]]
        if not changed:
            tally["unchanged"] += 1
            continue
        for f in IMPORTED_FIELDS:
            setattr(found, f, row.values[f])
        to_update.append(found)
    Invitation.objects.bulk_create(to_create, batch_size=IMPORT_CHUNK)
    Invitation.objects.bulk_update(to_update, IMPORTED_FIELDS, batch_size=IMPORT_CHUNK)
    tally["created"] += len(to_create)
    tally["updated"] += len(to_update)


@transaction.atomic
def do_import_roster(actor: Membership, batch: ImportBatch, mapping: dict[str, int]) -> ImportBatch:
    """Imports every valid row or none: one transaction. Importing the same file again changes
    nothing: rows equal to what is stored are counted as unchanged."""
    check_operator_permission(actor)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk, network_id=actor.network_id)
    if batch.state == ImportBatch.State.DONE:
        raise ValidationError(_("This file has already been imported."))
    rejections: list[dict[str, object]] = []
    tally = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0}
    chunk: list[Row] = []
    with open_sheet(batch) as sheet:

        def counted() -> Iterator[tuple[int, list[object]]]:
            for row in sheet.rows():
                tally["rows"] += 1
                yield row

        # Read, checked and written IMPORT_CHUNK rows at a time: a leavers list of 50,000 is
        # never in memory at once. One transaction still holds it all.
        for item in iter_checked(counted(), mapping, member_emails(actor.network_id)):
            if not isinstance(item, Row):
                rejections.append(item.as_dict())
                continue
            chunk.append(item)
            if len(chunk) >= IMPORT_CHUNK:
                _import_chunk(actor, batch, chunk, tally, rejections)
                chunk = []
        _import_chunk(actor, batch, chunk, tally, rejections)
    rejections.sort(key=lambda r: int(r["line"]))  # type: ignore[call-overload]
    batch.mapping = mapping
    batch.state = ImportBatch.State.DONE
    batch.row_count = tally["rows"]
    batch.created, batch.updated, batch.unchanged = (
        tally["created"], tally["updated"], tally["unchanged"],
    )  # fmt: skip
    batch.rejections = rejections
    batch.imported_at = timezone.now()
    batch.save()
    # The people are in the database now; the uploaded copy of HR's file is not kept.
    stored = batch.file
    transaction.on_commit(lambda: private_storage.delete(stored))
    record(
        actor,
        AuditAction.IMPORT_ROSTER,
        rows=batch.row_count,
        created=batch.created,
        updated=batch.updated,
        rejected=len(rejections),
        file=batch.filename,
    )
    return batch


# --- E-mail invitations ---------------------------------------------------------------------------


def _queue_sending(network_id: int, ids: list[int], *, reminder: bool = False) -> None:
    """Sends in chunks, one chunk a minute: the rate limit protects the mail server's reputation."""
    per_minute = max(1, settings.INVITATION_EMAILS_PER_MINUTE)
    chunks = [ids[i : i + per_minute] for i in range(0, len(ids), per_minute)]

    from .tasks import send_invitations

    for index, chunk in enumerate(chunks):
        queue_after_commit(
            send_invitations, network_id, chunk, reminder=reminder, countdown=60 * index
        )


@transaction.atomic
def do_send_invitations(actor: Membership, invitations: Iterable[Invitation]) -> int:
    """Invites (or invites again) each person who has not joined and was not revoked."""
    check_operator_permission(actor)
    ids = [
        i.pk
        for i in invitations
        if i.network_id == actor.network_id
        and i.status
        not in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED, InvitationStatus.BLOCKED)
    ]
    if not ids:
        return 0
    Invitation.objects.filter(network_id=actor.network_id, pk__in=ids).exclude(
        status=InvitationStatus.BLOCKED
    ).update(status=InvitationStatus.QUEUED, error="")
    _queue_sending(actor.network_id, ids)
    record(actor, AuditAction.INVITE, count=len(ids))
    return len(ids)


def do_block_addresses(actor: Membership, addresses: list[str]) -> int:
    """An operator puts addresses on the do-not-invite list; recorded without the addresses."""
    check_operator_permission(actor)
    count = do_block(actor.network_id, addresses, DoNotInvite.Source.OPERATOR)
    record(actor, AuditAction.DO_NOT_INVITE, added=count)
    return count


def do_unblock_addresses(actor: Membership, addresses: list[str]) -> int:
    check_operator_permission(actor)
    count = do_unblock(actor.network_id, addresses)
    record(actor, AuditAction.DO_NOT_INVITE, removed=count)
    return count


def do_stop_invitations(invitation: Invitation) -> None:
    """The invited person asks never to be invited by this network again."""
    do_block(invitation.network_id, [invitation.email], DoNotInvite.Source.PERSON)
    record_system(invitation.network, INVITED_PERSON, AuditAction.DO_NOT_INVITE, added=1)


@transaction.atomic
def do_revoke_invitations(actor: Membership, invitations: Iterable[Invitation]) -> int:
    check_operator_permission(actor)
    ids = [
        i.pk
        for i in invitations
        if i.network_id == actor.network_id
        and i.status not in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED)
    ]
    if ids:
        Invitation.objects.filter(network_id=actor.network_id, pk__in=ids).update(
            status=InvitationStatus.REVOKED
        )
        record(actor, AuditAction.REVOKE_INVITATION, count=len(ids))
    return len(ids)


def _known(member: Membership, message: str) -> None:
    """An address already in the network: operators are told; members are answered as for any
    address, so that they cannot learn from the form who is a member or in HR's roster."""
    if member.is_operator:
        raise ValidationError(message)


MEMBER_INVITES_PER_DAY = 20


@transaction.atomic
def do_member_invite(
    member: Membership, *, email: str, name: str, message: str = ""
) -> Invitation | None:
    """A member invites someone they know; operators approve it first where the network says so.

    None when the address is already a member's or invited and the member is not an operator.
    """
    settings_row = settings_of(member.network)
    check_member_invite_permission(member, settings_row)
    if not member.is_operator:
        since = timezone.now() - timedelta(days=1)
        sent = Invitation.objects.filter(
            network_id=member.network_id, invited_by=member, created_at__gte=since
        ).count()
        if sent >= MEMBER_INVITES_PER_DAY:
            # Each mail goes out under the network's name: a member cannot turn it into a mailer.
            raise ValidationError(
                _("You have invited %(limit)s people in the last day. Please invite more tomorrow.")
                % {"limit": MEMBER_INVITES_PER_DAY}
            )
    email = normal_address(email)
    if email in member_emails(member.network_id):
        _known(member, _("This person is already a member of the network."))
        return None
    if is_blocked(member.network_id, email):
        _known(member, _("This person cannot be invited."))
        return None
    if Invitation.objects.filter(network_id=member.network_id, email=email).exists():
        _known(member, _("This person has already been invited."))
        return None
    needs_approval = invitation_needs_approval(member, settings_row)
    try:
        # A double click sends two requests at once: both pass the check above, one inserts.
        with transaction.atomic():
            invitation = Invitation.objects.create(
                network_id=member.network_id,
                email=email,
                name=name,
                message=message,
                source=Source.MEMBER,
                invited_by=member,
                status=InvitationStatus.PROPOSED if needs_approval else InvitationStatus.QUEUED,
            )
    except IntegrityError:
        _known(member, _("This person has already been invited."))
        return None
    if needs_approval:
        operators = Membership.objects.filter(
            network_id=member.network_id, role=Role.OPERATOR, status=Status.ACTIVE
        ).values_list("user_id", flat=True)
        notify(
            member.network,
            list(operators),
            "invitation_proposed",
            params={"member": member.user.name, "name": name or email},
            url=f"{member.network.get_absolute_url()}manage/invitations/?status=proposed",
            actor=member.user,
        )
    else:
        _queue_sending(member.network_id, [invitation.pk])
        if member.is_operator:
            record(member, AuditAction.INVITE, count=1)
    return invitation


@transaction.atomic
def do_turn_into_alumni(invitation_id: int) -> Membership | None:
    """On the leaving date the HR system announced: the employee member becomes alumni, is told
    so (in the app and by e-mail), and the change is recorded as the HR system's."""
    with scopes_disabled():
        invitation = (
            # Only the invitation's row is locked: the membership is joined on its nullable side.
            Invitation.objects.select_for_update(of=("self",))
            .filter(pk=invitation_id, status=InvitationStatus.SCHEDULED)
            .select_related("membership__user", "network")
            .first()
        )
    if invitation is None or invitation.membership is None:
        return None
    member, network = invitation.membership, invitation.network
    with scope(network=network):
        if member.role == Role.EMPLOYEE and member.status == Status.ACTIVE:
            # Told while still an employee: the kind is the employees' (their preferences).
            notify(network, [member.user], "became_alumni", url=network.get_absolute_url())
            do_leave_the_company(member)
            record_system(
                network, HR_SYSTEM, AuditAction.CHANGE_ROLE, target=member,
                before=Role.EMPLOYEE, after=Role.ALUMNI,
            )  # fmt: skip
        Invitation.objects.filter(pk=invitation.pk).update(
            status=InvitationStatus.ACCEPTED, accepted_at=timezone.now()
        )
    return member


@transaction.atomic
def new_api_key(actor: Membership) -> str:
    """Makes the HR system's key; only its digest is kept, so it is shown once."""
    check_operator_permission(actor)
    key = "tsk_" + secrets.token_urlsafe(32)
    row = settings_of(actor.network)
    record(actor, AuditAction.CHANGE_SETTINGS, api_key="renewed")
    row.api_key_digest = hashlib.sha256(key.encode()).hexdigest()
    row.api_key_hint = key[-4:]
    row.save(update_fields=["api_key_digest", "api_key_hint"])
    return key


def api_key_matches(network: Network, key: str) -> bool:
    row = OnboardingSettings.objects.filter(network=network).first()
    if row is None or not row.api_key_digest or not key:
        return False
    return secrets.compare_digest(row.api_key_digest, hashlib.sha256(key.encode()).hexdigest())


# --- Joining -------------------------------------------------------------------------------------


def _prefill(membership: Membership, invitation: Invitation) -> None:
    """What the roster knew about the person, in their profile; they may change any of it."""
    profile = profile_of(membership)
    for source, target in (
        ("name", "name_kanji"),
        ("name_kana", "name_kana"),
        ("name_romaji", "name_romaji"),
        ("department", "last_department"),
        ("title", "last_title"),
        ("joined_on", "joined_on"),
        ("left_on", "left_on"),
    ):
        value = getattr(invitation, source)
        if value and not getattr(profile, target):
            setattr(profile, target, value)
    profile.save()
    reindex(profile)


def _refuse_inactive(membership: Membership | None) -> None:
    """Suspended and removed members cannot come back through an invitation or a link; a
    member who left by their own choice can (do_leave_network)."""
    if membership is None or (membership.status == Status.LEFT and membership.left_by_choice):
        return
    if membership.status in (Status.SUSPENDED, Status.LEFT):
        raise PermissionDenied(
            _("Your membership of this network was ended by its office. Please contact them.")
        )


def _enter(network: Network, user: User, role: str) -> Membership:
    existing = Membership.objects.filter(network=network, user=user).first()
    _refuse_inactive(existing)
    if existing is not None and existing.status == Status.ACTIVE:
        membership = existing
    else:
        check_join_permission(user, network)  # the operators' community: operators only
        membership = do_add_member(network, user, role=role, status=Status.ACTIVE)
        Application.objects.filter(
            network=network, user=user, status=ApplicationStatus.PENDING
        ).update(status=ApplicationStatus.APPROVED, decided_at=timezone.now())
    transaction.on_commit(lambda: do_note_seen(membership.pk))
    return membership


def _close_invitation(invitation: Invitation, membership: Membership) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.ACCEPTED, accepted_at=timezone.now(), membership=membership
    )


def invitation_problem(invitation: Invitation) -> str | None:
    if invitation.status == InvitationStatus.REVOKED:
        return _("This invitation was withdrawn by the network's office.")
    if invitation.status == InvitationStatus.ACCEPTED:
        return _("This invitation has already been used.")
    if invitation.status in (InvitationStatus.NEW, InvitationStatus.PROPOSED):
        return _("This invitation has not been sent yet.")
    if invitation.is_expired:
        return _("This invitation has expired. Ask the network's office for a new one.")
    return None


def link_problem(link: InviteLink) -> str | None:
    if link.revoked_at is not None:
        return _("This invitation link was withdrawn by the network's office.")
    if link.is_expired:
        return _("This invitation link has expired. Ask the person who shared it for a new one.")
    if link.is_used_up:
        return _("This invitation link has been used as many times as it allows.")
    return None


def agreed_before(invitation: Invitation) -> tuple[PolicyVersion, str] | None:
    """The version a leaver agreed to at the exit interview, or that the HR system says they
    agreed to (the version current at the time of consent), and how."""
    if invitation.consented_at is None:
        return None
    version = policy_at(invitation.network, invitation.consented_at)
    if version is None:
        return None
    how = (
        HowGiven.EXIT_INTERVIEW
        if invitation.source == Source.EXIT_INTERVIEW
        else HowGiven.HR_SYSTEM
    )
    return version, how


@transaction.atomic
def do_accept_invitation(
    user: User, invitation: Invitation, *, agreed: int | None = None
) -> Membership:
    """Only the owner of the invited address joins, and only they get the roster's data.
    With a published policy, they agree to its current version (``agreed``: the number they
    ticked) unless they already did at the exit interview or through the HR system."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    check_accept_invitation_permission(user, invitation)
    before = agreed_before(invitation)
    current = agreed_version(invitation.network, agreed, before=before[0] if before else None)
    membership = _enter(invitation.network, user, invitation.role)
    _prefill(membership, invitation)
    _close_invitation(invitation, membership)
    if before is not None:
        do_record_consent(membership, before[0], how=before[1], at=invitation.consented_at)
    if current is not None:
        do_record_consent(membership, current, how=HowGiven.JOIN)
    return membership


@transaction.atomic
def do_accept_link(user: User, link: InviteLink, *, agreed: int | None = None) -> Membership:
    """Counts one use under the link's row lock, so a one-use link admits one person."""
    link = InviteLink.objects.select_for_update().get(pk=link.pk)
    problem = link_problem(link)
    if problem:
        raise ValidationError(problem)
    network = link.network
    existing = Membership.objects.filter(network=network, user=user).first()
    _refuse_inactive(existing)
    if existing is not None and existing.status == Status.ACTIVE:
        return existing
    current = agreed_version(network, agreed)
    InviteLink.objects.filter(pk=link.pk).update(uses=link.uses + 1)
    membership = _enter(network, user, link.role)
    if current is not None:
        do_record_consent(membership, current, how=HowGiven.JOIN)
    # A link is open to anyone: it copies nothing from the roster. The owner of an invited
    # address has joined, though, so their invitation is closed and sends no reminder.
    for open_one in (
        Invitation.objects.filter(network=network)
        .exclude(status__in=[InvitationStatus.REVOKED, InvitationStatus.ACCEPTED])
        .filter(email__in=verified_addresses(user))
    ):
        _close_invitation(open_one, membership)
    return membership


@transaction.atomic
def do_create_link(actor: Membership, *, label: str, role: str, max_uses: int | None,
                   expires_at: Any) -> InviteLink:  # fmt: skip
    check_operator_permission(actor)
    link = InviteLink.objects.create(
        network_id=actor.network_id,
        label=label,
        role=role,
        max_uses=max_uses,
        expires_at=expires_at,
        created_by_id=actor.user_id,
    )
    record(actor, AuditAction.CREATE_LINK, label=label, role=role, uses=max_uses)
    return link


@transaction.atomic
def do_revoke_link(actor: Membership, link: InviteLink) -> None:
    check_operator_permission(actor)
    if link.network_id != actor.network_id or link.revoked_at is not None:
        return
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    record(actor, AuditAction.REVOKE_LINK, label=link.label)


@transaction.atomic
def do_apply(
    user: User,
    network: Network,
    *,
    answers: list[dict[str, str]],
    declared: bool,
    agreed: int | None = None,
) -> Application:
    """An application waits for the operators; the person sees "waiting" until they decide.
    Their consent to the current policy (``agreed``) is recorded now, when they give it: an
    approval keeps it, a rejection deletes it with the pending membership."""
    check_join_permission(user, network)
    if not declared:
        raise ValidationError(_("Please confirm that you meet the conditions for joining."))
    current = agreed_version(network, agreed)
    existing = Membership.objects.select_for_update().filter(network=network, user=user).first()
    if existing is not None:
        _refuse_inactive(existing)
        if existing.status == Status.ACTIVE:
            raise ValidationError(_("You are already a member of this network."))
        raise ValidationError(
            _("You have already applied. The office will answer your application soon.")
        )
    membership = do_add_member(network, user, role=Role.ALUMNI, status=Status.PENDING)
    if current is not None:
        do_record_consent(membership, current, how=HowGiven.JOIN)
    try:
        # A double click sends the form twice at once: one application waits, the other is told.
        with transaction.atomic():
            application = Application.objects.create(
                network=network, user=user, answers=answers, declared_eligible=True
            )
    except IntegrityError:
        raise ValidationError(
            _("You have already applied. The office will answer your application soon.")
        ) from None
    operators = Membership.objects.filter(
        network=network, role=Role.OPERATOR, status=Status.ACTIVE
    ).values_list("user_id", flat=True)
    notify(
        network,
        list(operators),
        "join_application",
        params={"name": user.name},
        url=f"{network.get_absolute_url()}manage/applications/",
        actor=user,
    )
    return application


def roster_match(application: Application) -> Invitation | None:
    return (
        Invitation.objects.filter(
            network_id=application.network_id, email=application.user.email.lower()
        )
        .exclude(status=InvitationStatus.REVOKED)
        .first()
    )


@transaction.atomic
def do_decide_application(
    actor: Membership, application: Application, *, approve: bool, note: str = ""
) -> Application:
    check_operator_permission(actor)
    application = (
        Application.objects.select_for_update()
        .select_related("user")
        .get(pk=application.pk, network_id=actor.network_id)
    )
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(_("This application has already been decided."))
    network = actor.network
    user = application.user
    row = settings_of(network)
    note = note.strip() or (row.approval_note if approve else row.rejection_note)
    pending = Membership.objects.filter(network=network, user=user).first()
    target: Membership | None = None
    if approve and pending is not None and pending.status in (Status.SUSPENDED, Status.LEFT):
        # Suspended or removed from the members page after applying: approval must not undo it.
        raise ValidationError(
            _(
                "This person was suspended or removed after applying. To let them in, make "
                "them active again on the members page."
            )
        )
    already_in = pending is not None and pending.status == Status.ACTIVE
    if already_in and not approve:
        # Let in from the members page meanwhile: a rejection mail would contradict it.
        raise ValidationError(
            _(
                "This person is already an active member. To end their membership, use the "
                "members page."
            )
        )
    if already_in:
        target = pending  # the role the office gave them stays, and they were welcomed then
    elif approve:
        check_may_admit(user, network)
        match = roster_match(application)
        role = match.role if match is not None else Role.ALUMNI
        # The decision mail welcomes them: the welcome notification stays in the app.
        target = do_add_member(
            network, user, role=role, status=Status.ACTIVE, welcome_by_mail=False
        )
        if match is not None:
            _prefill(target, match)
            Invitation.objects.filter(pk=match.pk).update(
                status=InvitationStatus.ACCEPTED, accepted_at=timezone.now(), membership=target
            )
    elif pending is not None and pending.status == Status.PENDING:
        pending.delete()  # they may apply again later
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
    application.note = note[:2000]
    application.decided_by_id = actor.user_id
    application.decided_at = timezone.now()
    application.save()
    record(
        actor,
        AuditAction.APPROVE if approve else AuditAction.REJECT,
        target=target,
        name=user.name,
        email=user.email,
    )
    network_id, application_id = network.pk, application.pk

    from .tasks import send_application_decision

    queue_after_commit(send_application_decision, network_id, application_id)
    return application


@transaction.atomic
def do_update_settings(actor: Membership, row: OnboardingSettings) -> OnboardingSettings:
    check_operator_permission(actor)
    if row.network_id != actor.network_id:
        raise PermissionDenied
    row.save()
    record(actor, AuditAction.CHANGE_SETTINGS, who_may_invite=row.who_may_invite)
    return row
