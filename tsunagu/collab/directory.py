"""The members of linked networks a member may browse: those who opted in, each as they share
with linked networks. Every card shown is recorded as a disclosure to the viewer's network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django_scopes import scopes_disabled

from tsunagu.profiles.models import Profile
from tsunagu.profiles.visibility import ATTRIBUTES, LINKED, ProfileView, view_of
from tsunagu.tenancy.models import Membership

from .access import ALWAYS_SHOWN, directory_links, filter_profiles_visible_across
from .disclosures import Shown, record_disclosures
from .models import OptIn

# What the linked directory never draws, whatever its audience: the photo is served only inside
# its own network, the career inside the company is for its own members.
NOT_DRAWN = frozenset({"photo", "career"})


@dataclass
class Card:
    view: ProfileView
    network_name: str
    fields: tuple[str, ...]  # what the card shows (with content), as recorded


def _shown_fields(view: ProfileView) -> tuple[str, ...]:
    shown = [ALWAYS_SHOWN]
    for field in sorted(view.fields - NOT_DRAWN):
        if field in ("skills", "interests"):
            if getattr(view, field):
                shown.append(field)
        elif any(view.values.get(a) for a in ATTRIBUTES[field]):
            shown.append(field)
    return tuple(shown)


def linked_people(
    viewer: Membership, page_number: Any, per_page: int
) -> tuple[Page[Any], list[Card]]:
    links = directory_links(viewer.network_id)
    with scopes_disabled():
        profiles = (
            filter_profiles_visible_across(viewer, links=links)
            .select_related("membership__user", "network")
            .prefetch_related("tags")
            .order_by("network__name", "sort_name", "pk")
        )
        page = Paginator(profiles, per_page).get_page(page_number)
        shown_profiles: list[Profile] = list(page.object_list)
        consents = {
            row.membership_id: row
            for row in OptIn.objects.filter(
                membership_id__in=[p.pk for p in shown_profiles],
                link_id__in=[link.pk for link in links],
                opted_out_at__isnull=True,
            )
        }
    by_id = {link.pk: link for link in links}
    cards, records = [], []
    for profile in shown_profiles:
        consent = consents.get(profile.pk)
        if consent is None:  # opted out between the two reads: not shown
            continue
        view = view_of(profile, LINKED, career=False)
        fields = _shown_fields(view)
        cards.append(Card(view=view, network_name=profile.network.name, fields=fields))
        records.append(
            Shown(
                network_id=profile.network_id,
                membership_id=profile.pk,
                consent=consent,
                link=by_id[consent.link_id],
                fields=fields,
            )
        )
    record_disclosures(viewer.network_id, records)
    return page, cards
