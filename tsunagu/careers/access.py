"""Who may see and do what with opportunities and the answers to them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from tsunagu.collab.models import Link, Scope
from tsunagu.core import caching
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
    """The audiences that include the member's role (in their own network)."""
    return [str(Audience.ALL), str(Audience.LINKED)] + [
        str(audience) for audience, roles in AUDIENCE_ROLES.items() if member.role in roles
    ]


# --- Opportunities offered to linked networks ---
#
# The one rule: a member of network N sees an opportunity of another network P when its audience
# is "linked", it is open, the member is active, and N and P are joined by an ACTIVE link whose
# scopes include opportunities, both networks active. ``partner_networks()`` is the list of such
# P for N; ``filter_opportunities()`` and ``may_open()`` apply it, as every other part of the
# rule. A link revoked, declined or without the scope, or a network switched off, takes the
# partner out of the list (its cache entry is dropped by every save of a link or a network,
# ``receivers.py``), so the opportunity is gone from N at the next request.


def partners_key(network_id: int) -> str:
    return caching.key("careers", "partners", network_id)


def partner_networks(
    network_id: int, found: dict[str, Any] | None = None
) -> tuple[tuple[int, str], ...]:
    """The networks linked with ``network_id`` to share opportunities, as (id, name), by id."""

    def load() -> tuple[tuple[int, str], ...]:
        with scopes_disabled():
            links = Link.objects.of_network(network_id).live().select_related("network", "partner")
            found = {
                (other.pk, other.name)
                for link in links
                if Scope.OPPORTUNITIES in (link.scopes or [])
                and (other := link.other_side(network_id)) is not None
            }
        return tuple(sorted(found))

    return caching.cached(partners_key(network_id), load, caching.HOUR, found=found)


def partner_ids(member: Membership) -> list[int]:
    """The networks whose linked opportunities the member sees: none unless they are active."""
    if not member.is_active:
        return []
    return [pk for pk, _name in partner_networks(member.network_id)]


def offered_across_q(partners: Collection[int], prefix: str = "") -> Q:
    """Opportunities of ``partners`` offered to linked networks, and open."""
    if not partners:
        return Q(pk__in=[])
    return Q(
        **{f"{prefix}network_id__in": list(partners), f"{prefix}audience": Audience.LINKED}
    ) & open_q(prefix)


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


def _own_q(member: Membership) -> Q:
    """Of the member's own network: what they may open there."""
    if member.is_operator:
        return Q(network_id=member.network_id)
    answered = Application.objects.filter(network_id=member.network_id, member_id=member.pk).values(
        "opportunity_id"
    )
    return Q(network_id=member.network_id) & (
        (open_q() & audience_q(member)) | Q(poster_id=member.pk) | Q(pk__in=answered)
    )


def filter_opportunities(member: Membership) -> models.QuerySet[Opportunity]:
    """What the member may open: open ones for their audience, their own postings, the ones they
    answered (even closed), every one of the network for operators; and the open ones linked
    networks offer to it (the rule above). Unscoped on purpose: the rule names every network."""
    with scopes_disabled():
        return Opportunity.objects.filter(_own_q(member) | offered_across_q(partner_ids(member)))


def may_open(member: Membership, opportunity: Opportunity, answered: Collection[int]) -> bool:
    """``filter_opportunities()`` asked of one opportunity already read, given the ids of those
    the member answered in their network: the same rule, stated for a row in hand
    (``test_access_parity.py`` holds the two forms together for every role and state)."""
    if opportunity.network_id != member.network_id:
        return (
            opportunity.audience == Audience.LINKED
            and opportunity.is_open
            and opportunity.network_id in partner_ids(member)
        )
    if member.is_operator:
        return True
    return (
        (opportunity.is_open and opportunity.audience in audiences_for(member))
        or opportunity.poster_id == member.pk
        or opportunity.pk in answered
    )


def listed_opportunities(member: Membership) -> models.QuerySet[Opportunity]:
    """The list: open opportunities the member's audience sees (closed ones are not listed), and
    those linked networks offer to the member's."""
    own = Q(network_id=member.network_id) & open_q() & audience_q(member)
    with scopes_disabled():
        return Opportunity.objects.filter(own | offered_across_q(partner_ids(member)))


def _get(qs: models.QuerySet[Any], pk: object) -> Any:
    try:
        return qs.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_opportunity(member: Membership, opportunity_id: object) -> Opportunity:
    """404 for an unlinked network's, a missing, a hidden or an unseen closed opportunity alike."""
    return _get(
        filter_opportunities(member).select_related("poster__user", "network"), opportunity_id
    )


def access_file(member: Membership, file_id: object) -> OpportunityFile:
    with scopes_disabled():
        qs = OpportunityFile.objects.filter(opportunity__in=filter_opportunities(member))
    return _get(qs, file_id)


def files_of(opportunity: Opportunity) -> list[OpportunityFile]:
    """The files of an opportunity the caller may open (of the member's or a partner network)."""
    with scopes_disabled():
        return list(OpportunityFile.objects.filter(opportunity=opportunity))


def can_edit(member: Membership, opportunity: Opportunity) -> bool:
    if opportunity.network_id != member.network_id:
        return False  # a linked network's offer is its own network's to edit
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
    """Answers the member may open: their own (to their network's opportunities or to a linked
    network's), those to their postings, and every one to the network's opportunities for
    operators, members of linked networks' included (they sent them to this network)."""
    with scopes_disabled():
        qs = Application.objects.all()
    if member.is_operator:
        return qs.filter(Q(network_id=member.network_id) | Q(member_id=member.pk))
    return qs.filter(
        Q(member_id=member.pk) | Q(network_id=member.network_id, opportunity__poster_id=member.pk)
    )


def answers_to(opportunity: Opportunity) -> models.QuerySet[Application]:
    """Every answer to the opportunity, from its network and from linked ones, for those
    ``check_see_answers_permission()`` let through."""
    with scopes_disabled():
        return Application.objects.filter(
            network_id=opportunity.network_id, opportunity=opportunity
        )


def own_answers(member: Membership) -> models.QuerySet[Application]:
    """The member's answers, to their network's opportunities and to linked networks'."""
    with scopes_disabled():
        return Application.objects.filter(member_id=member.pk)


def access_answer(member: Membership, answer_id: object) -> Application:
    qs = filter_answers(member).select_related("opportunity", "member__user", "applicant_network")
    return _get(qs, answer_id)


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
    if opportunity.network_id != member.network_id:
        if not may_open(member, opportunity, ()):
            raise Refused(_("This opportunity is not open to you."))
    elif opportunity.audience not in audiences_for(member):
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
