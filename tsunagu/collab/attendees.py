"""Who takes part in a co-hosted event, as one network's operators may see them.

Their own members in full (name, e-mail, status); a member of another network by name only
where the one rule of visibility across a link (``access.filter_profiles_visible_across``)
shows them to the viewer's network, each shown recorded as a disclosure; everyone else as a
count per network. A person who belongs to the viewer's network as well is their own member,
shown once. The figures per network are counts and never name anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from tsunagu.events.models import LIVE, SEATED, Event, Registration, RegistrationStatus
from tsunagu.profiles.models import Profile
from tsunagu.tenancy.models import Membership, Status

from .access import ALWAYS_SHOWN, cohost_rows_of, directory_links, filter_profiles_visible_across
from .disclosures import Shown, record_disclosures
from .models import CoHost, OptIn


@dataclass
class Attendee:
    name: str
    network_name: str
    status: str
    own: bool
    email: str = ""


@dataclass
class NetworkFigures:
    network_id: int
    name: str
    applied: int = 0
    seated: int = 0
    attended: int = 0
    no_show: int = 0
    repeaters: int = 0
    unnamed: int = 0  # applicants the viewer may not see by name
    ended: bool = False

    @property
    def repeat_rate(self) -> int | None:
        return round(100 * self.repeaters / self.attended) if self.attended else None


@dataclass
class AttendeeList:
    attendees: list[Attendee] = field(default_factory=list)
    figures: list[NetworkFigures] = field(default_factory=list)


def _figures(event: Event) -> dict[int, dict[str, int]]:
    """Per network of the applicants: applications, places, attendance and repeaters (those who
    attended an earlier event with the same network), in one statement."""
    attended = RegistrationStatus.ATTENDED
    earlier = Registration._base_manager.filter(
        user_id=OuterRef("user_id"),
        network_id=OuterRef("network_id"),
        status=attended,
        event__starts_at__lt=event.starts_at,
    )
    rows = (
        Registration._base_manager.filter(event_id=event.pk)
        .values("network_id")
        .annotate(
            applied=Count("pk", filter=Q(status__in=LIVE)),
            seated=Count("pk", filter=Q(status__in=SEATED)),
            attended=Count("pk", filter=Q(status=attended)),
            no_show=Count("pk", filter=Q(status=RegistrationStatus.NO_SHOW)),
            repeaters=Count("pk", filter=Q(status=attended) & Q(Exists(earlier))),
        )
        .order_by()
    )
    return {row.pop("network_id"): row for row in rows}


def _names(viewer: Membership, event: Event, live: list[CoHost]) -> dict[int, tuple[str, bool]]:
    """The networks the viewer may name, and whether their co-hosting ended; the owner's
    operators know every partner they invited."""
    names = {event.network_id: (event.network.name, False)}
    for row in live:
        names[row.partner_id] = (row.partner.name, False)
    if viewer.network_id == event.network_id:
        for row in cohost_rows_of(event):
            names.setdefault(row.partner_id, (row.partner.name, True))
    return names


def attendees_for(viewer: Membership, event: Event, live: list[CoHost]) -> AttendeeList:
    """The event's applicants as the viewer's network may see them (see the module)."""
    statuses = dict(RegistrationStatus.choices)
    names = _names(viewer, event, live)
    taking_part = {event.network_id, *(row.partner_id for row in live)}
    with scopes_disabled():
        registrations = list(
            Registration._base_manager.filter(event_id=event.pk, status__in=LIVE)
            .select_related("user")
            .order_by("applied_at", "id")
        )
        user_ids = [r.user_id for r in registrations]
        own_users = set(
            Membership.objects.filter(
                network_id=viewer.network_id, user_id__in=user_ids, status=Status.ACTIVE
            ).values_list("user_id", flat=True)
        )
        others = [
            r
            for r in registrations
            if r.user_id not in own_users
            and r.network_id != viewer.network_id
            and r.network_id in taking_part
        ]
        links = directory_links(viewer.network_id) if others else []
        visible = (
            {
                (p.network_id, p.membership.user_id): p
                for p in filter_profiles_visible_across(
                    viewer,
                    Profile.objects.filter(
                        network_id__in=taking_part - {viewer.network_id},
                        membership__user_id__in=[r.user_id for r in others],
                    ),
                    links=links,
                ).select_related("membership")
            }
            if others
            else {}
        )
        consents = (
            {
                row.membership_id: row
                for row in OptIn.objects.filter(
                    membership_id__in=[p.pk for p in visible.values()],
                    link_id__in=[link.pk for link in links],
                    opted_out_at__isnull=True,
                )
            }
            if visible
            else {}
        )
    result = AttendeeList()
    figures = {
        network_id: NetworkFigures(network_id, name, ended=ended)
        for network_id, (name, ended) in names.items()
    }
    by_link = {link.pk: link for link in links}
    shown: list[Shown] = []
    for registration in registrations:
        own = registration.user_id in own_users or registration.network_id == viewer.network_id
        profile = visible.get((registration.network_id, registration.user_id))
        consent = consents.get(profile.pk) if profile is not None else None
        network_name = names.get(registration.network_id, (_("Other networks"), False))[0]
        if own or consent is not None:
            result.attendees.append(
                Attendee(
                    name=registration.user.name,
                    network_name=network_name,
                    status=str(statuses[registration.status]),
                    own=own,
                    email=registration.user.email if own else "",
                )
            )
            if not own and profile is not None and consent is not None:
                shown.append(
                    Shown(
                        network_id=registration.network_id,
                        membership_id=profile.pk,
                        consent=consent,
                        link=by_link[consent.link_id],
                        fields=(ALWAYS_SHOWN,),
                    )
                )
        else:
            figures.setdefault(
                registration.network_id, NetworkFigures(registration.network_id, network_name)
            ).unnamed += 1
    record_disclosures(viewer.network_id, shown)
    for network_id, counts in _figures(event).items():
        row = figures.setdefault(network_id, NetworkFigures(network_id, _("Other networks")))
        for name, value in counts.items():
            setattr(row, name, value)
    result.figures = sorted(
        figures.values(), key=lambda f: (f.network_id != event.network_id, f.name)
    )
    return result
