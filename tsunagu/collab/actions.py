"""Every write of links between networks and of members' choices about them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from tsunagu.audit.models import AuditAction, record
from tsunagu.core.queue import queue_after_commit
from tsunagu.tenancy.models import Membership, Network

from .access import (
    access_directory_link,
    check_answer_permission,
    check_manage_links_permission,
    check_revoke_permission,
)
from .models import PENDING_STATES, REQUEST_DAYS, SCOPE_ORDER, Link, LinkState, OptIn

ACCEPT, DECLINE, COUNTER = "accept", "decline", "counter"


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = set(scopes)
    cleaned = [s for s in SCOPE_ORDER if s in chosen]
    if not cleaned or len(cleaned) != len(chosen):
        raise ValidationError({"scopes": _("Choose at least one thing to share.")})
    return cleaned


def _pending_request_error() -> ValidationError:
    return ValidationError(
        {"slug": _("A request to this network is already waiting for an answer.")}
    )


def _tell_other_side(link: Link, change: str, acting: Network) -> None:
    from .tasks import tell_other_side

    queue_after_commit(tell_other_side, link.pk, change, acting.pk)


def _waiting_for_us(network_id: int) -> Q:
    """The requests the asking side sees waiting: pending ones, and first requests declined that
    have not lapsed yet (the asking side learns of the decline at the lapse)."""
    return Q(network_id=network_id) & (
        Q(state__in=PENDING_STATES) | Q(state=LinkState.DECLINED, answered=False, asker_told=False)
    )


def do_request_link(member: Membership, *, slug: str, scopes: Iterable[str], message: str) -> Link:
    """Asks the network at ``slug`` to link. An address of no active network gets the same
    answer as one that exists: a request that waits (its partner empty, so nobody answers it)
    until it lapses after REQUEST_DAYS, as one declined does, and the same work in this request;
    whatever the other side does happens in a task."""
    check_manage_links_permission(member)
    lapse_due(member.network_id)
    slug = slug.strip().lower()
    cleaned = _clean_scopes(scopes)
    if slug == member.network.slug:
        raise ValidationError(
            {"slug": _("This is your own network. Enter another network's address.")}
        )
    with scopes_disabled():
        partner = Network.objects.filter(slug=slug, is_active=True).first()
    try:
        with transaction.atomic():
            # Two clicks of the same button queue here, one after the other (PostgreSQL).
            Network.objects.select_for_update().filter(pk=member.network_id).first()
            with scopes_disabled():
                waiting = (
                    Link.objects.filter(_waiting_for_us(member.network_id))
                    .filter(asked_slug=slug)
                    .first()
                )
                if waiting is not None:
                    if (
                        waiting.requested_by_id == member.user_id
                        and waiting.state_for(member.network_id) == LinkState.REQUESTED
                        and waiting.scopes == cleaned
                        and waiting.message == message
                    ):
                        return waiting  # the same request sent twice: one request
                    raise _pending_request_error()
                # Asked for an unknown address too (no row can match): the same statements.
                _check_no_open_link(member.network_id, partner.pk if partner else 0)
                link = Link.objects.create(
                    network_id=member.network_id,
                    partner=partner,
                    asked_slug=slug,
                    scopes=cleaned,
                    message=message,
                    awaiting=partner,
                    requested_by_id=member.user_id,
                    expires_at=timezone.now() + timedelta(days=REQUEST_DAYS),
                )
            record(
                member, AuditAction.LINK_REQUEST, name=slug, label=", ".join(link.scope_labels())
            )
            _tell_other_side(link, LinkState.REQUESTED, member.network)
    except IntegrityError:
        raise _pending_request_error() from None
    return link


def _check_no_open_link(network_id: int, partner_id: int) -> None:
    found = (
        Link.objects.of_network(network_id)
        .filter(partner_id__isnull=False, state__in=[*PENDING_STATES, LinkState.ACTIVE])
        .filter(network_id__in=[network_id, partner_id], partner_id__in=[network_id, partner_id])
        .first()
    )
    if found is None:
        return
    if found.state == LinkState.ACTIVE:
        raise ValidationError({"slug": _("Your networks are already linked.")})
    if found.network_id != network_id:
        raise ValidationError(
            {"slug": _("This network has asked to link with yours: answer its request below.")}
        )
    raise _pending_request_error()


def _locked(link: Link) -> Link:
    with scopes_disabled():
        return (
            Link.objects.select_for_update(of=("self",))
            .select_related("network", "partner")
            .get(pk=link.pk)
        )


@transaction.atomic
def do_answer_link(
    member: Membership, link: Link, decision: str, scopes: Iterable[str] = ()
) -> Link:
    """The awaited side accepts, declines, or answers with other scopes (which the other side
    must then accept)."""
    link = _locked(link)
    check_answer_permission(member, link)
    now = timezone.now()
    if decision == ACCEPT:
        link.state, link.awaiting, link.accepted_at = LinkState.ACTIVE, None, now
        action = AuditAction.LINK_ACCEPT
    elif decision == DECLINE:
        link.state, link.awaiting = LinkState.DECLINED, None
        link.ended_at, link.ended_by_id = now, member.network_id
        action = AuditAction.LINK_DECLINE
        if not link.answered:
            # A first request: the asking side learns of it when it lapses (lapse_due).
            link.save()
            record(
                member, action, name=_other_name(link, member), label=", ".join(link.scope_labels())
            )
            return link
    elif decision == COUNTER:
        cleaned = _clean_scopes(scopes)
        if cleaned == link.scopes:
            raise ValidationError(
                {"scopes": _("These are the terms proposed: accept them, or change them.")}
            )
        link.scopes = cleaned
        link.state = LinkState.COUNTERED
        link.awaiting = link.other_side(member.network_id)
        action = AuditAction.LINK_COUNTER
    else:
        raise ValidationError(_("Choose an answer."))
    link.answered = link.answered or member.network_id == link.partner_id
    link.asker_told = True
    link.save()
    record(member, action, name=_other_name(link, member), label=", ".join(link.scope_labels()))
    _tell_other_side(link, link.state, member.network)
    return link


@transaction.atomic
def do_revoke_link(member: Membership, link: Link) -> Link:
    """Either side ends the link, or withdraws or refuses a request, at once: nobody is visible
    across it from the next request on."""
    link = _locked(link)
    check_revoke_permission(member, link)
    link.state, link.awaiting = LinkState.REVOKED, None
    link.ended_at, link.ended_by_id = timezone.now(), member.network_id
    link.answered = link.answered or member.network_id == link.partner_id
    link.asker_told = True
    link.save()
    record(
        member,
        AuditAction.LINK_REVOKE,
        name=_other_name(link, member),
        label=", ".join(link.scope_labels()),
    )
    _tell_other_side(link, LinkState.REVOKED, member.network)
    from .cohosting import end_cohosts_of_link

    end_cohosts_of_link(member, link)  # the co-hosted events over it end with it
    return link


def lapse_due(network_id: int | None = None) -> int:
    """Ends the first requests past their REQUEST_DAYS that the asking side still sees waiting
    (of one network, or all): unanswered ones lapse, declined ones stay declined for the side that
    declined; the asking side is told alike of both. Returns how many."""
    due = Q(expires_at__lte=timezone.now(), answered=False, asker_told=False) & Q(
        state__in=[LinkState.REQUESTED, LinkState.DECLINED]
    )
    if network_id is not None:
        due &= Q(network_id=network_id)
    with scopes_disabled():
        ids = list(Link.objects.filter(due).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic(), scopes_disabled():
            link = Link.objects.select_for_update().filter(due, pk=pk).first()
            if link is None:
                continue  # answered, withdrawn or told meanwhile
            if link.state == LinkState.REQUESTED:
                link.state, link.awaiting, link.ended_at = LinkState.LAPSED, None, timezone.now()
            link.asker_told = True
            link.save()
            from .tasks import tell_lapse

            queue_after_commit(tell_lapse, link.pk)
    return len(ids)


def _other_name(link: Link, member: Membership) -> str:
    return link.other_name(member.network_id)


@transaction.atomic
def do_set_opt_in(member: Membership, link_id: object, *, visible: bool) -> OptIn | None:
    """The member opts in to being shown to the linked network's members, or out (at once)."""
    link = access_directory_link(member, link_id)
    with scopes_disabled():
        current = (
            OptIn.objects.select_for_update()
            .filter(membership_id=member.pk, link=link, opted_out_at__isnull=True)
            .first()
        )
        if visible:
            if current is not None:
                return current
            return OptIn.objects.create(network_id=member.network_id, membership=member, link=link)
        if current is not None:
            current.opted_out_at = timezone.now()
            current.save(update_fields=["opted_out_at"])
    return None


@transaction.atomic
def do_note_disclosure_export(member: Membership, *, rows: int) -> None:
    """Exporting the disclosure records is itself recorded."""
    check_manage_links_permission(member)
    record(member, AuditAction.EXPORT_DISCLOSURES, count=rows)
