"""The opportunity list's pages, kept for every reader of one audience.

A page of the list is the same for every member whose role sees the same audiences, so it is
built once from the ORM and kept in the network's namespace (``list_namespace()``), under the
audiences, the filters, the page number and the day (an opportunity leaves the list at midnight
after its deadline). The namespace is cleared by every change that could change a row
(``receivers.py``): an opportunity saved, deleted, closed or answered, its poster leaving, coming
back or renamed. What differs between readers (whether they answered, the operators' queue) is
read per request: the answered opportunities are kept per member and forgotten when they answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.core import caching
from tsunagu.core.paging import Page
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.names import FORMER_MEMBER, name_or_none

from .access import (
    audiences_for,
    files_of,
    listed_opportunities,
    may_open,
    may_post_key,
    partner_ids,
    partner_networks,
    partners_key,
)
from .models import Application, Kind, Opportunity, OpportunityFile, Remote

PER_PAGE = 20
TIMEOUT = caching.HOUR


@dataclass(frozen=True)
class Row:
    """One opportunity as the list shows it; labels in the reader's language."""

    pk: int
    kind: str
    title: str
    remote: str
    location: str
    deadline: date | None
    poster: str | None  # None: shown as a former member
    # The owner network's name, for an opportunity a linked network offers; None for our own.
    offered_by: str | None = None

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def remote_label(self) -> str:
        return str(Remote(self.remote).label)

    @property
    def poster_shown(self) -> str:
        return self.poster if self.poster is not None else str(FORMER_MEMBER)


def list_namespace(network_id: int) -> caching.Namespace:
    return caching.Namespace("careers", "list", network_id)


def answered_key(membership_id: int) -> str:
    return caching.key("careers", "answered", membership_id)


def page_keys(member: Membership) -> list[str]:
    """What the list reads from the cache besides its page, in the header's round trip."""
    return [
        list_namespace(member.network_id).version_key,
        answered_key(member.pk),
        may_post_key(member.network_id),
        partners_key(member.network_id),
    ]


def _partners(member: Membership, found: dict[str, Any]) -> str:
    """The link state as a part of the key: the networks whose offers the member sees now. A
    page built before a link ended is under other partners, and never read again."""
    if not member.is_active:
        return "-"
    return ",".join(str(pk) for pk, _name in partner_networks(member.network_id, found)) or "-"


def _audiences(member: Membership) -> str:
    """The audiences the member's role sees, as a part of the key (from the rule itself)."""
    return ",".join(sorted(audiences_for(member)))


def _page_number(raw: object) -> int:
    try:
        number = int(str(raw))
    except ValueError:
        return 1
    return number if 1 <= number <= 10_000 else 1


def _build(member: Membership, filters: dict[str, Any], number: int) -> Page[Row]:
    qs = listed_opportunities(member)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("remote"):
        qs = qs.filter(remote=filters["remote"])
    for term in filters.get("terms", ()):
        qs = qs.filter(search_text__contains=term)
    rows_qs = qs.order_by("-published_at", "-id").values_list(
        "pk",
        "kind",
        "title",
        "remote",
        "location",
        "deadline",
        "poster__user__name",
        "poster__status",
        "network_id",
        "network__name",
    )
    with scopes_disabled():  # the rows of linked networks, which the rule named
        page = Paginator(rows_qs, PER_PAGE).get_page(number)
        rows = [
            Row(
                pk,
                kind,
                title,
                remote,
                location,
                deadline,
                name_or_none(name, status),
                None if network_id == member.network_id else network_name,
            )
            for (
                pk,
                kind,
                title,
                remote,
                location,
                deadline,
                name,
                status,
                network_id,
                network_name,
            ) in page.object_list
        ]
    return Page(rows=rows, number=page.number, num_pages=page.paginator.num_pages)


def listed_page(
    member: Membership, filters: dict[str, Any], page: object, found: dict[str, Any]
) -> Page[Row]:
    """The page of the list the member's audience sees, with ``filters`` (kind, remote and the
    search ``terms``); ``found``: the view's read of ``page_keys()``."""
    number = _page_number(page)
    terms = tuple(filters.get("terms", ()))
    searched = hashlib.sha256("\x1f".join(terms).encode()).hexdigest()[:16] if terms else ""
    key = list_namespace(member.network_id).key(
        "page",
        _audiences(member),
        filters.get("kind") or "",
        filters.get("remote") or "",
        searched,
        number,
        timezone.localdate().isoformat(),
        _partners(member, found),
        found=found,
    )
    return caching.cached(key, lambda: _build(member, filters, number), TIMEOUT)


def answered_by(member: Membership, found: dict[str, Any]) -> frozenset[int]:
    """The opportunities the member answered, kept until they answer again."""

    def load() -> frozenset[int]:
        with scopes_disabled():  # to linked networks' opportunities too
            return frozenset(
                Application.objects.filter(member_id=member.pk).values_list(
                    "opportunity_id", flat=True
                )
            )

    return caching.cached(answered_key(member.pk), load, TIMEOUT, found=found)


def own_answer_key(membership_id: int, opportunity_id: int) -> str:
    return caching.key("careers", "own-answer", membership_id, opportunity_id)


def opportunity_page(
    member: Membership, opportunity_id: int, found: dict[str, Any]
) -> tuple[Opportunity, list[OpportunityFile], Application | None]:
    """The opportunity, its files and the member's own answer for its page: the first two kept
    in the network's namespace with the list, the answer per member until it changes; 404
    where ``access_opportunity()`` would give it."""
    space = list_namespace(member.network_id)
    row_key = space.key("opportunity", opportunity_id, found=found)
    files_key = space.key("files", opportunity_id, found=found)
    own_key = own_answer_key(member.pk, opportunity_id)
    kept = caching.read_many([row_key, files_key, own_key])

    def load() -> Opportunity | None:
        # The network's own and its partners' (whose changes clear this namespace too); who
        # may open it is may_open()'s to say, for every reader of the entry.
        with scopes_disabled():
            return (
                Opportunity.objects.select_related("poster__user", "network")
                .filter(network_id__in=[member.network_id, *partner_ids(member)])
                .filter(pk=opportunity_id)
                .first()
            )

    opportunity = caching.cached(row_key, load, TIMEOUT, found=kept)
    answered = answered_by(member, found)
    if opportunity is None or not may_open(member, opportunity, answered):
        raise Http404
    files = caching.cached(files_key, lambda: files_of(opportunity), TIMEOUT, found=kept)
    if opportunity.pk not in answered:
        return opportunity, files, None

    def load_own() -> Application | None:
        with scopes_disabled():
            return Application.objects.filter(opportunity=opportunity, member=member).first()

    own = caching.cached(own_key, load_own, TIMEOUT, found=kept)
    return opportunity, files, own


def forget_list(network_id: int) -> None:
    """The network's list, and its partners' lists, which show its linked offers."""
    list_namespace(network_id).clear()
    for partner_id, _name in partner_networks(network_id):
        list_namespace(partner_id).clear()


def forget_partners(*network_ids: int) -> None:
    """After a link changed: who shares with whom, and the two sides' lists. It reads nothing,
    so that a request to an address of no network costs the statements of a real one (collab's
    rule against enumeration)."""
    for network_id in network_ids:
        caching.forget(partners_key(network_id))
        list_namespace(network_id).clear()


def forget_network(network_id: int) -> None:
    """After a network changed (renamed, switched off): the lists that name it too."""
    for partner_id, _name in partner_networks(network_id):
        list_namespace(partner_id).clear()
    forget_partners(network_id)


def forget_lists_of(opportunities: Any) -> None:
    """After an update without signals: every network whose list held one of them."""
    for network_id in set(opportunities.values_list("network_id", flat=True)):
        forget_list(network_id)
