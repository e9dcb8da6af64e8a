"""Background work of links: telling the other side, and the disclosure records' retention."""

from __future__ import annotations

from celery import shared_task
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, record_system
from tsunagu.notify.actions import notify
from tsunagu.tenancy.models import Membership, Network, Role, Status

from .disclosures import purge_disclosures
from .models import CoHost, Link, LinkState

ACTIONS: dict[str, str] = {
    LinkState.REQUESTED: AuditAction.LINK_REQUEST,
    LinkState.COUNTERED: AuditAction.LINK_COUNTER,
    LinkState.ACTIVE: AuditAction.LINK_ACCEPT,
    LinkState.DECLINED: AuditAction.LINK_DECLINE,
    LinkState.REVOKED: AuditAction.LINK_REVOKE,
    "narrowed": AuditAction.LINK_NARROW,
}
KINDS: dict[str, str] = {
    LinkState.REQUESTED: "link_requested",
    LinkState.COUNTERED: "link_countered",
    LinkState.ACTIVE: "link_accepted",
    LinkState.DECLINED: "link_declined",
    LinkState.REVOKED: "link_ended",
    "narrowed": "link_narrowed",
}


@shared_task(acks_late=True)
def tell_other_side(link_id: int, change: str, acting_network_id: int) -> None:
    """Records the change in the other network's audit log and tells its operators. A request
    to an address of no active network ends here, having done nothing."""
    with scopes_disabled():
        link = Link.objects.select_related("network", "partner").filter(pk=link_id).first()
        acting = Network.objects.filter(pk=acting_network_id).first()
    if link is None or acting is None or change not in ACTIONS:
        return
    other = link.other_side(acting_network_id)
    if other is None or not other.is_active:
        return
    with scope(network=other):
        record_system(
            other,
            acting.name,
            ACTIONS[change],
            name=acting.name,
            label=", ".join(link.scope_labels()),
        )
        _notify_operators(other, KINDS[change], acting.name)


@shared_task(acks_late=True)
def lapse_requests() -> int:
    """Ends the first requests that waited REQUEST_DAYS (hourly)."""
    from .actions import lapse_due

    return lapse_due()


@shared_task(acks_late=True)
def tell_lapse(link_id: int) -> None:
    """Tells the asking side that its request ended without a link, in the same words whether
    the other side declined, did not answer or is no network; the asked side's log notes that
    its unanswered request lapsed."""
    with scopes_disabled():
        link = Link.objects.select_related("network", "partner").filter(pk=link_id).first()
    if link is None or not link.network.is_active:
        return
    asker = link.network
    with scope(network=asker):
        record_system(asker, asker.name, AuditAction.LINK_LAPSE, name=link.asked_slug)
        _notify_operators(asker, "link_lapsed", link.asked_slug)
    partner = link.partner
    if link.state == LinkState.LAPSED and partner is not None and partner.is_active:
        with scope(network=partner):
            record_system(partner, partner.name, AuditAction.LINK_LAPSE, name=asker.name)


def _notify_operators(network: Network, kind: str, other: str) -> None:
    operators = Membership.objects.filter(
        network=network, role=Role.OPERATOR, status=Status.ACTIVE
    ).values("user_id")
    notify(
        network,
        operators,
        kind,
        params={"network": other},
        url=reverse("collab:links", kwargs={"network_slug": network.slug}),
    )


@shared_task(acks_late=True)
def tell_cohost_other_side(cohost_id: int, action: str, acting_network_id: int) -> None:
    """Records a co-hosting's invitation, answer or end in the other network's audit log, and
    tells its operators."""
    with scopes_disabled():
        row = CoHost.objects.select_related("event", "network", "partner").filter(pk=cohost_id)
        found = row.first()
    if found is None:
        return
    acting, other = (
        (found.network, found.partner)
        if acting_network_id == found.network_id
        else (found.partner, found.network)
    )
    if not other.is_active:
        return
    with scope(network=other):
        record_system(other, acting.name, action, name=acting.name, label=found.event.title)
        operators = Membership.objects.filter(
            network=other, role=Role.OPERATOR, status=Status.ACTIVE
        ).values("user_id")
        notify(
            other,
            operators,
            "cohost_changed",
            params={"network": acting.name, "title": found.event.title},
            url=reverse("collab:cohosts", kwargs={"network_slug": other.slug}),
        )


@shared_task(acks_late=True)
def purge_old_disclosures() -> int:
    """Deletes disclosure records older than their retention period (three years)."""
    return purge_disclosures()
