"""Who may see and do what with opportunities and the answers to them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.core import caching
from tsunagu.tenancy.access import access_in_network
from tsunagu.tenancy.models import Membership, Role

from .models import (
    AUDIENCE_ROLES,
    Application,
    Audience,
    CareersSettings,
    FlagAudience,
    Kind,
    Mode,
    OpenTo,
    Opportunity,
    OpportunityFile,
    Recruiter,
    State,
)


class Refused(Exception):
    """An answer or a change that cannot be made now: shown to the member with a 409."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_company(member: Membership) -> bool:
    """Operators and employees post for the company, without approval."""
    return member.is_active and member.role in (Role.OPERATOR, Role.EMPLOYEE)


def careers_settings(network_id: int) -> CareersSettings:
    found = CareersSettings.objects.filter(network_id=network_id).first()
    return found or CareersSettings(network_id=network_id)


def may_post_key(network_id: int) -> str:
    return caching.key("careers", "members-may-post", network_id)


def members_may_post(network_id: int, found: dict[str, Any] | None = None) -> bool:
    """Whether the network lets members post; read on every view of the list, so kept in the
    cache and forgotten whenever the settings are saved (``receivers.py``). ``found``: what the
    caller read of the cache already."""
    return caching.cached(
        may_post_key(network_id),
        lambda: careers_settings(network_id).members_may_post,
        caching.HOUR,
        found=found,
    )


def can_post(member: Membership, found: dict[str, Any] | None = None) -> bool:
    if not member.is_active:
        return False
    return is_company(member) or members_may_post(member.network_id, found)


def check_post_permission(member: Membership) -> None:
    if not can_post(member):
        raise PermissionDenied


def kinds_for(member: Membership) -> list[tuple[str, Any]]:
    """Comeback hiring is the company's own; members post every other kind."""
    if is_company(member):
        return list(Kind.choices)
    return [(value, label) for value, label in Kind.choices if value != Kind.COMEBACK]


def check_kind_permission(member: Membership, kind: str) -> None:
    if kind not in {value for value, _label in kinds_for(member)}:
        raise PermissionDenied


def audiences_for(member: Membership) -> list[str]:
    """The audiences that include the member's role."""
    return [str(Audience.ALL)] + [
        str(audience) for audience, roles in AUDIENCE_ROLES.items() if member.role in roles
    ]


def audience_q(member: Membership, prefix: str = "") -> Q:
    """The opportunities whose audience includes the member's role."""
    return Q(**{f"{prefix}audience__in": audiences_for(member)})


def open_q(prefix: str = "") -> Q:
    """Published, not closed by hand and not past the deadline (compared with today, so an
    opportunity closes at midnight even before the beat task marks it)."""
    today = timezone.localdate()
    return Q(**{f"{prefix}state": State.PUBLISHED, f"{prefix}closed_at__isnull": True}) & (
        Q(**{f"{prefix}deadline__isnull": True}) | Q(**{f"{prefix}deadline__gte": today})
    )


def filter_opportunities(member: Membership) -> models.QuerySet[Opportunity]:
    """What the member may open: open ones for their audience, their own postings, the ones they
    answered (even closed), and every one for operators."""
    qs = Opportunity.objects.filter(network_id=member.network_id)
    if member.is_operator:
        return qs
    answered = Application.objects.filter(network_id=member.network_id, member_id=member.pk).values(
        "opportunity_id"
    )
    return qs.filter((open_q() & audience_q(member)) | Q(poster_id=member.pk) | Q(pk__in=answered))


def may_open(member: Membership, opportunity: Opportunity, answered: Collection[int]) -> bool:
    """``filter_opportunities()`` asked of one opportunity already read, given the ids of those
    the member answered: the same rule, stated for a row in hand (``test_access_parity.py``
    holds the two forms together for every role and state)."""
    if opportunity.network_id != member.network_id:
        return False
    if member.is_operator:
        return True
    return (
        (opportunity.is_open and opportunity.audience in audiences_for(member))
        or opportunity.poster_id == member.pk
        or opportunity.pk in answered
    )


def listed_opportunities(member: Membership) -> models.QuerySet[Opportunity]:
    """The list: open opportunities the member's audience sees (closed ones are not listed)."""
    return Opportunity.objects.filter(network_id=member.network_id).filter(
        open_q() & audience_q(member)
    )


def access_opportunity(member: Membership, opportunity_id: object) -> Opportunity:
    """404 for another network's, a missing, a hidden or an unseen closed opportunity alike."""
    return access_in_network(
        member, filter_opportunities(member).select_related("poster__user"), opportunity_id
    )


def access_file(member: Membership, file_id: object) -> OpportunityFile:
    qs = OpportunityFile.objects.filter(opportunity__in=filter_opportunities(member))
    return access_in_network(member, qs, file_id)


def can_edit(member: Membership, opportunity: Opportunity) -> bool:
    return member.is_operator or (member.is_active and opportunity.poster_id == member.pk)


def check_edit_permission(member: Membership, opportunity: Opportunity) -> None:
    if opportunity.network_id != member.network_id or not can_edit(member, opportunity):
        raise PermissionDenied


def check_review_permission(member: Membership) -> None:
    if not member.is_operator:
        raise PermissionDenied


def can_see_answers(member: Membership, opportunity: Opportunity) -> bool:
    """The poster and the operators follow the answers; nobody else sees them."""
    return can_edit(member, opportunity)


def check_see_answers_permission(member: Membership, opportunity: Opportunity) -> None:
    if opportunity.network_id != member.network_id or not can_see_answers(member, opportunity):
        raise PermissionDenied


def filter_answers(member: Membership) -> models.QuerySet[Application]:
    """Answers the member may open: their own, to their postings, and every one for operators."""
    qs = Application.objects.filter(network_id=member.network_id)
    if member.is_operator:
        return qs
    return qs.filter(Q(member_id=member.pk) | Q(opportunity__poster_id=member.pk))


def access_answer(member: Membership, answer_id: object) -> Application:
    qs = filter_answers(member).select_related("opportunity", "member__user")
    return access_in_network(member, qs, answer_id)


def modes_for(opportunity: Opportunity) -> list[str]:
    """A referral request takes introductions; every other kind interest or an application."""
    if opportunity.is_referral:
        return [Mode.INTRODUCE]
    return [Mode.INTEREST, Mode.APPLY]


def check_answer_permission(member: Membership, opportunity: Opportunity) -> None:
    """Raises Refused (a 409 with the reason) when the member cannot answer now."""
    if not member.is_active:
        raise PermissionDenied
    if opportunity.poster_id == member.pk:
        raise Refused(_("This is your own posting: you cannot answer it."))
    if opportunity.state != State.PUBLISHED:
        raise Refused(_("This opportunity is not published yet."))
    if opportunity.is_closed:
        raise Refused(_("This opportunity is closed and no longer takes answers."))
    if not Opportunity.objects.filter(pk=opportunity.pk).filter(audience_q(member)).exists():
        raise Refused(_("This opportunity is not open to you."))


def check_withdraw_permission(member: Membership, answer: Application) -> None:
    if answer.member_id != member.pk or not member.is_active:
        raise PermissionDenied


# --- "Open to" flags ---

RECRUITER_MARK = "careers_recruiter"


def recruiter_mark() -> Exists:
    """For a Membership row: whether the operators marked it as a recruiter. It comes with the
    cached membership (``apps.py``, ``tenancy/gates.py``), so that the directory and the profile
    page know without a query whether to offer the "open to" filter; a change of the mark drops
    the member's entry (``receivers.py``)."""
    # The base manager: the membership is loaded before its network's scope opens.
    return Exists(Recruiter._base_manager.filter(membership=OuterRef("pk")))


def is_recruiter(member: Membership) -> bool:
    """Operators, and employees the operators marked as recruiters."""
    if member.is_operator:
        return True
    if not member.is_active or member.role != Role.EMPLOYEE:
        return False
    marked = getattr(member, RECRUITER_MARK, None)
    if marked is not None:
        return bool(marked)
    return Recruiter.objects.filter(network_id=member.network_id, membership_id=member.pk).exists()


def flag_audiences_for(member: Membership) -> list[str]:
    """The audiences of flags the member may see on other members."""
    if member.is_operator:
        return [FlagAudience.OPERATORS, FlagAudience.RECRUITERS]
    if is_recruiter(member):
        return [FlagAudience.RECRUITERS]
    return []


def filter_flags_for(member: Membership) -> models.QuerySet[OpenTo]:
    """Other members' flags the member may see: none for most members."""
    return OpenTo.objects.filter(
        network_id=member.network_id,
        audience__in=flag_audiences_for(member),
        membership__status="active",
    )


def check_talent_permission(member: Membership) -> None:
    if not is_recruiter(member):
        raise PermissionDenied
