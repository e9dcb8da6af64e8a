"""Co-hosted events across each state of a link between A and B (none, requested, active,
revoked): a network that does not co-host never sees the event, B's members see it only while
the co-hosting lasts, and B's operators never see the names of A's attendees who did not opt in
(A's names carry the canary)."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from tsunagu.collab.actions import do_revoke_link
from tsunagu.core.testing.factories import make_member, make_network
from tsunagu.events.actions import do_register
from tsunagu.events.tests.helpers import make_event
from tsunagu.tenancy.models import Role
from tsunagu.testing.tests.test_link_isolation import STATES
from tsunagu.testing.world import CANARY_A, World

from .helpers import cohost_event, link_networks, request_link

TITLE = "合同勉強会 共催-4b1d"


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
def test_only_a_current_co_host_sees_the_event_and_never_a_name_that_was_not_shared(
    world: World, state: str, django_capture_on_commit_callbacks: Any
) -> None:
    event = make_event(world.net_a, title=TITLE)
    with scope(network=world.net_a):
        do_register(world.alumni_a, event)
        do_register(world.employee_a, event)
    link = None
    with django_capture_on_commit_callbacks(execute=True):
        if state == "requested":
            request_link(world.operator_a, "hidamari-b", ("events", "directory"))
        elif state in ("active", "revoked"):
            link = link_networks(world.operator_a, world.operator_b, ("events", "directory"))
            cohost_event(event, world.operator_a, world.operator_b, link)
        if state == "revoked":
            assert link is not None
            with scope(network=world.net_b):
                do_revoke_link(world.operator_b, link)
    owner = world.client(world.operator_a)
    invite = owner.post(
        f"/n/mitsuba-a/links/events/{event.pk}/hosts/",
        {"link": link.pk if link else 1, "seats": "shared"},
    )
    assert invite.status_code == 400  # only an active link without a co-host can be invited over
    unlinked_net = make_network(slug="kame-d", name="かめ会")
    visitors = {
        "operator of B": (world.operator_b, state == "active"),
        "alumni of B": (world.alumni_b, state == "active"),
        "supporter of B": (world.supporter_b, state == "active"),
        "operator of an unlinked network": (make_member(unlinked_net, role=Role.OPERATOR), False),
        "alumni of an unlinked network": (make_member(unlinked_net), False),
    }
    failures = []
    for who, (member, sees) in visitors.items():
        client = world.client(member)
        base = f"/n/{member.network.slug}"
        pages = {
            "event list": f"{base}/events/",
            "co-hosted events": f"{base}/links/events/",
            "event": f"{base}/links/events/{event.pk}/",
            "calendar": f"{base}/links/events/{event.pk}/event.ics",
            "attendees": f"{base}/links/events/{event.pk}/attendees/",
            "co-hosts": f"{base}/links/events/{event.pk}/hosts/",
        }
        for label, url in pages.items():
            response = client.get(url)
            body = response.content.decode()
            where = f"{state}: {who}: {label}"
            if CANARY_A in body:
                failures.append(f"{where}: shows a name of A that was not shared")
            if response.status_code >= 500:
                failures.append(f"{where}: server error")
            if label in ("event", "calendar") and (response.status_code == 200) != sees:
                failures.append(f"{where}: answered {response.status_code}")
            if label == "event list" and (TITLE in body) != sees:
                failures.append(f"{where}: the event is {'missing' if sees else 'listed'}")
            if label == "co-hosts" and response.status_code < 400:
                failures.append(f"{where}: answered {response.status_code}")
        for action in ("apply", "cancel"):
            response = client.post(f"{base}/links/events/{event.pk}/apply/", {"action": action})
            if not sees and response.status_code != 404 and member.is_active:
                failures.append(f"{state}: {who}: {action} answered {response.status_code}")
    assert not failures, "\n".join(failures)
