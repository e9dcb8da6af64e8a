"""Every write on opportunities, answers and "open to" flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from tsunagu.audit.models import AuditAction, record
from tsunagu.boards.files import inspect_upload
from tsunagu.collab.disclosures import Shown, link_between, record_disclosures
from tsunagu.core.storage import private_storage
from tsunagu.notify.actions import notify
from tsunagu.tenancy.access import filter_active_members
from tsunagu.tenancy.models import Membership, Role

from . import signals
from .access import (
    AUDIENCE_ROLES,
    Refused,
    careers_settings,
    check_answer_permission,
    check_edit_permission,
    check_kind_permission,
    check_post_permission,
    check_review_permission,
    check_see_answers_permission,
    check_withdraw_permission,
    is_company,
    modes_for,
)
from .files import check_cv, upload_name
from .listing import forget_list
from .models import (
    KIND_FLAG,
    Application,
    Audience,
    CareersSettings,
    Flag,
    FlagAudience,
    Mode,
    OpenTo,
    Opportunity,
    OpportunityFile,
    Recruiter,
    State,
    Status,
    next_statuses,
)

FIELDS = (
    "kind",
    "title",
    "employment_form",
    "description",
    "location",
    "remote",
    "compensation",
    "starts",
    "deadline",
    "contact_person",
    "external_url",
    "audience",
)


def opportunity_url(opportunity: Opportunity, slug: str) -> str:
    return reverse(
        "careers:detail", kwargs={"network_slug": slug, "opportunity_id": opportunity.pk}
    )


def _check_deadline(deadline: date | None) -> None:
    if deadline is not None and deadline < timezone.localdate():
        raise Refused(_("The deadline cannot be in the past."))


def _attach(opportunity: Opportunity, upload: UploadedFile) -> OpportunityFile:
    upload, content_type, is_image = inspect_upload(upload)
    name = upload_name(upload, "file")
    found = OpportunityFile(
        network_id=opportunity.network_id,
        opportunity=opportunity,
        name=name,
        content_type=content_type,
        size=upload.size or 0,
        is_image=is_image,
    )
    found.file.save(name, upload, save=False)
    found.save()
    return found


def _ask_for_approval(member: Membership, opportunity: Opportunity) -> None:
    operators = filter_active_members(member.network).filter(role=Role.OPERATOR)
    notify(
        member.network,
        list(operators.values_list("user_id", flat=True)),
        "careers_pending",
        params={"actor": member.user.name, "title": opportunity.title},
        url=reverse("careers:manage", kwargs={"network_slug": member.network.slug}),
        actor=member.user,
    )


def _announce(opportunity: Opportunity) -> None:
    """Tells members whose "open to" flags fit a newly published opportunity, once, in the app."""
    claimed = Opportunity.objects.filter(pk=opportunity.pk, announced_at__isnull=True).update(
        announced_at=timezone.now()
    )
    flag = KIND_FLAG.get(opportunity.kind)
    if not claimed or flag is None:
        return
    network = opportunity.network
    members = OpenTo.objects.filter(network=network, flag=flag)
    roles = AUDIENCE_ROLES.get(opportunity.audience)
    if roles is not None:
        members = members.filter(Q(membership__role__in=roles) | Q(membership__role=Role.OPERATOR))
    recipients = list(members.values_list("membership__user_id", flat=True))
    poster = opportunity.poster.user if opportunity.poster is not None else None
    notify(
        network,
        recipients,
        "careers_match",
        params={"title": opportunity.title},
        url=opportunity_url(opportunity, network.slug),
        actor=poster,
    )


@transaction.atomic
def do_create_opportunity(
    member: Membership, *, attachment: UploadedFile | None = None, **fields: Any
) -> Opportunity:
    """Publishes an opportunity; a member's (not the company's) waits for an operator where the
    network asks for it."""
    check_post_permission(member)
    check_kind_permission(member, fields["kind"])
    _check_deadline(fields.get("deadline"))
    pending = (
        not is_company(member) and careers_settings(member.network_id).member_posts_need_approval
    )
    opportunity = Opportunity(
        network=member.network,
        poster=member,
        state=State.PENDING if pending else State.PUBLISHED,
        **{name: fields[name] for name in FIELDS if name in fields},
    )
    opportunity.save()
    if attachment is not None:
        _attach(opportunity, attachment)
    if pending:
        _ask_for_approval(member, opportunity)
    else:
        _announce(opportunity)
    return opportunity


@transaction.atomic
def do_edit_opportunity(
    member: Membership,
    opportunity: Opportunity,
    *,
    attachment: UploadedFile | None = None,
    **fields: Any,
) -> Opportunity:
    """Saves an edit; a member's edit of an approved opportunity goes back to the operators."""
    check_edit_permission(member, opportunity)
    check_kind_permission(member, fields["kind"])
    if fields.get("deadline") != opportunity.deadline:
        _check_deadline(fields.get("deadline"))
        opportunity.reminded_at = None  # a new deadline, a new reminder
    for name in FIELDS:
        if name in fields:
            setattr(opportunity, name, fields[name])
    resubmitted = (
        not is_company(member)
        and not member.is_operator
        and opportunity.state != State.PENDING
        and careers_settings(member.network_id).member_posts_need_approval
    )
    if resubmitted:
        opportunity.state = State.PENDING
    opportunity.edited_at = timezone.now()
    opportunity.save()
    if attachment is not None:
        _attach(opportunity, attachment)
    if resubmitted:
        _ask_for_approval(member, opportunity)
    return opportunity


@transaction.atomic
def do_review_opportunity(member: Membership, opportunity: Opportunity, *, approve: bool) -> None:
    check_review_permission(member)
    found = (
        Opportunity.objects.select_for_update()
        .filter(pk=opportunity.pk, network=member.network)
        .first()
    )
    if found is None:
        raise Http404
    if found.state != State.PENDING:
        return  # another operator decided first
    found.state = State.PUBLISHED if approve else State.REJECTED
    found.reviewed_by = member
    if approve:
        found.published_at = timezone.now()
    found.save(update_fields=["state", "reviewed_by", "published_at"])
    if found.poster is not None:
        notify(
            member.network,
            [found.poster.user_id],
            "careers_approved" if approve else "careers_rejected",
            params={"title": found.title},
            url=opportunity_url(found, member.network.slug),
            actor=member.user,
        )
    if approve:
        _announce(found)


def do_close_opportunity(member: Membership, opportunity: Opportunity) -> None:
    check_edit_permission(member, opportunity)
    Opportunity.objects.filter(pk=opportunity.pk, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )
    forget_list(opportunity.network_id)  # an update sends no signal


@transaction.atomic
def do_delete_opportunity(member: Membership, opportunity: Opportunity) -> None:
    """Deletes an opportunity nobody answered; one with answers is closed instead, so that the
    applicants keep their record and the hires stay countable."""
    check_edit_permission(member, opportunity)
    if Application.objects.filter(opportunity=opportunity).exists():
        raise Refused(
            _("People have answered this opportunity, so it cannot be deleted. Close it instead.")
        )
    names = [f.file.name for f in OpportunityFile.objects.filter(opportunity=opportunity)]
    names += [a.cv.name for a in Application.objects.filter(opportunity=opportunity).exclude(cv="")]
    storage = private_storage

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    opportunity.delete()


# --- Answers ---


class AlreadyAnswered(Refused):
    def __init__(self, answer: Application) -> None:
        super().__init__(_("You have already answered this opportunity."))
        self.answer = answer


def do_answer(
    member: Membership,
    opportunity: Opportunity,
    *,
    mode: str,
    message: str = "",
    cv: UploadedFile | None = None,
) -> Application:
    """One answer per member and opportunity: a double click (or twenty) makes one; the others
    are told the answer exists (AlreadyAnswered)."""
    check_answer_permission(member, opportunity)
    if mode not in modes_for(opportunity):
        raise Refused(_("This kind of answer does not fit this opportunity."))
    if mode in (Mode.APPLY, Mode.INTRODUCE) and not message.strip():
        raise Refused(_("Write a message with your answer."))
    if cv is not None and mode != Mode.APPLY:
        cv = None  # a CV goes with an application only
    if cv is not None:
        check_cv(cv)
    # The answer belongs to the opportunity's network (its poster and operators follow it),
    # and carries the applicant's own, which differs for a linked network's offer: the rows are
    # read without the request's scope, by the opportunity and the member the rule let through.
    with scopes_disabled():
        existing = Application.objects.filter(opportunity=opportunity, member=member).first()
    if existing is not None:
        raise AlreadyAnswered(existing)
    answer = Application(
        network_id=opportunity.network_id,
        applicant_network_id=member.network_id,
        opportunity=opportunity,
        member=member,
        mode=mode,
        message=message.strip(),
    )
    try:
        with transaction.atomic(), scopes_disabled():
            if cv is not None:
                answer.cv_name = upload_name(cv, "cv.pdf")
                answer.cv.save(answer.cv_name, cv, save=False)
            answer.save()
            Opportunity.objects.filter(pk=opportunity.pk).update(answer_count=F("answer_count") + 1)
            _tell_poster(member, opportunity, answer)
    except IntegrityError:
        # Another click of the same member won the unique constraint a moment earlier.
        if answer.cv.name:
            answer.cv.storage.delete(answer.cv.name)
        with scopes_disabled():
            first = Application.objects.filter(opportunity=opportunity, member=member).first()
        if first is None:
            raise
        raise AlreadyAnswered(first) from None
    return answer


def _tell_poster(member: Membership, opportunity: Opportunity, answer: Application) -> None:
    if opportunity.poster is None:
        return
    network = opportunity.network  # the poster's, where they follow the answers
    notify(
        network,
        [opportunity.poster.user_id],
        "careers_answer",
        params={
            "actor": member.user.name,
            "title": opportunity.title,
            "mode": str(Mode(answer.mode).label),
        },
        url=reverse(
            "careers:answers",
            kwargs={"network_slug": network.slug, "opportunity_id": opportunity.pk},
        ),
        actor=member.user,
    )


def _lock(answer: Application) -> Application:
    # The poster's side or the applicant's, who may be of a linked network: the caller's
    # access_answer() let the answer through already.
    with scopes_disabled():
        found = (
            Application.objects.select_for_update()
            .filter(pk=answer.pk, network_id=answer.network_id)
            .select_related("opportunity", "member__user", "member__network")
            .first()
        )
    if found is None:
        raise Http404
    return found


def _decided(answer: Application, status: str) -> None:
    now = timezone.now()
    answer.status = status
    answer.status_changed_at = now
    if status in (Status.HIRED, Status.DECLINED, Status.WITHDRAWN):
        answer.decided_on = timezone.localdate(now)
    if status == Status.HIRED:
        answer.hired_on = answer.decided_on
    answer.save(update_fields=["status", "status_changed_at", "decided_on", "hired_on"])


@transaction.atomic
def do_set_status(member: Membership, answer: Application, status: str) -> Application:
    """The poster or an operator moves an answer along; backwards and out of a final status
    are refused."""
    check_see_answers_permission(member, answer.opportunity)
    answer = _lock(answer)
    if status not in next_statuses(answer.status):
        raise Refused(
            _("An answer cannot go from “%(current)s” to “%(wanted)s”.")
            % {
                "current": Status(answer.status).label,
                "wanted": Status(status).label if status in Status.values else status,
            }
        )
    _decided(answer, status)
    network = answer.member.network  # the applicant's, where they follow their answers
    with scopes_disabled():  # the request's scope is the poster's network
        notify(
            network,
            [answer.member.user_id],
            "careers_status",
            params={"title": answer.opportunity.title, "status": str(Status(status).label)},
            url=reverse("careers:mine", kwargs={"network_slug": network.slug}),
            actor=member.user,
        )
    if status == Status.HIRED:
        facts = {
            "network_id": answer.network_id,
            "opportunity_id": answer.opportunity_id,
            "application_id": answer.pk,
            "kind": answer.opportunity.kind,
            "on": answer.hired_on,
        }
        transaction.on_commit(lambda: signals.hired.send(sender=Application, **facts))
    return answer


@transaction.atomic
def do_withdraw(member: Membership, answer: Application) -> Application:
    check_withdraw_permission(member, answer)
    answer = _lock(answer)
    if answer.is_final:
        raise Refused(_("This answer is already closed."))
    _decided(answer, Status.WITHDRAWN)
    return answer


# --- "Open to" flags, recruiters, settings ---


@dataclass(frozen=True)
class FlagChoice:
    flag: str
    audience: str | None  # None: the flag is off


@transaction.atomic
def do_set_flags(member: Membership, choices: list[FlagChoice]) -> None:
    if not member.is_active:
        raise PermissionDenied
    for choice in choices:
        if choice.flag not in Flag.values:
            raise ValueError(choice.flag)
        if choice.audience is None:
            OpenTo.objects.filter(membership=member, flag=choice.flag).delete()
        elif choice.audience in FlagAudience.values:
            OpenTo.objects.update_or_create(
                network_id=member.network_id,
                membership=member,
                flag=choice.flag,
                defaults={"audience": choice.audience},
            )


def do_set_recruiter(operator: Membership, target: Membership, on: bool) -> None:
    check_review_permission(operator)
    if target.network_id != operator.network_id:
        raise Http404
    if on:
        if target.role != Role.EMPLOYEE:
            raise Refused(_("Only employees can be marked as recruiters."))
        Recruiter.objects.get_or_create(network_id=operator.network_id, membership=target)
    else:
        Recruiter.objects.filter(network_id=operator.network_id, membership=target).delete()


def do_save_settings(member: Membership, *, members_may_post: bool, need_approval: bool) -> None:
    check_review_permission(member)
    CareersSettings.objects.update_or_create(
        network=member.network,
        defaults={
            "members_may_post": members_may_post,
            "member_posts_need_approval": need_approval,
        },
    )


APPLICATION_FIELDS = ("name", "application")


def note_answers_seen(member: Membership, answers: list[Application]) -> None:
    """Records that the member's network saw answers sent from linked networks: for each
    applicant's network, a disclosure (collab) whose basis is the application itself."""
    shown = []
    links: dict[int, Any] = {}
    for answer in answers:
        if not answer.is_from_elsewhere or answer.applicant_network_id is None:
            continue
        other = answer.applicant_network_id
        if other not in links:
            links[other] = link_between(member.network_id, other)
        if links[other] is None:
            continue
        shown.append(
            Shown(
                network_id=other,
                membership_id=answer.member_id,
                consent=None,
                link=links[other],
                fields=APPLICATION_FIELDS,
                basis=f"application #{answer.pk}",
            )
        )
    record_disclosures(member.network_id, shown)


def note_export(
    member: Membership, opportunity: Opportunity, *, rows: int, encoding: str, lost: int = 0
) -> None:
    """``lost``: cells of a Shift_JIS file where a character became "?"."""
    detail: dict[str, Any] = {"lost_cells": lost} if lost else {}
    record(
        member,
        AuditAction.EXPORT_APPLICATIONS,
        count=rows,
        name=opportunity.title,
        encoding=encoding,
        opportunity=opportunity.pk,
        **detail,
    )


__all__ = ["AlreadyAnswered", "Audience", "FlagChoice", "Refused"]
