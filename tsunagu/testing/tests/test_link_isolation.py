"""The isolation matrix with links between networks: for each state of a link between A and B
(none, requested, active, revoked), every role of B and of an unlinked network asks the pages
that show people or links, under A's address and under their own with A's identifiers. Nothing
of A's members may show unless one of them opted in to an active link sharing the directory."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from tsunagu.collab.actions import do_revoke_link
from tsunagu.collab.models import Link
from tsunagu.collab.tests.helpers import link_networks, opt_in, request_link
from tsunagu.core.testing.factories import make_member, make_network
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import CANARY_A, World

from .test_isolation_matrix import MEMBERS, all_routes, classify, values_from_network_a

STATES = ("none", "requested", "active", "revoked")
# The pages that show people, links or their records.
PEOPLE_PAGES = {
    "profiles:directory",
    "profiles:detail",
    "profiles:photo",
    "feed:search",
    "notify:list",
    "audit:log",
    "audit:my_access",
}


def put_link_in_state(world: World, state: str) -> Link | None:
    if state == "none":
        return None
    if state == "requested":
        return request_link(world.operator_a, "hidamari-b")
    link = link_networks(world.operator_a, world.operator_b, ("directory", "events"))
    if state == "revoked":
        with scope(network=world.net_b):
            do_revoke_link(world.operator_b, link)
    return link


def routes() -> list[Any]:
    return [
        r
        for r in all_routes()
        if classify(r.route, r.name) == MEMBERS
        and (str(r.name).startswith("collab:") or r.name in PEOPLE_PAGES)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
def test_no_state_of_a_link_shows_a_members_who_did_not_opt_in(
    world: World, state: str, django_capture_on_commit_callbacks: Any
) -> None:
    values = values_from_network_a(world)
    with django_capture_on_commit_callbacks(execute=True):
        put_link_in_state(world, state)
    unlinked = make_member(make_network(slug="kame-d", name="かめ会"), role=Role.OPERATOR)
    visitors = {
        "alumni of B": world.alumni_b,
        "supporter of B": world.supporter_b,
        "operator of B": world.operator_b,
        "operator of an unlinked network": unlinked,
    }
    failures = []
    for route in routes():
        for who, member in visitors.items():
            client = world.client(member)
            own = {"network_slug": member.network.slug}
            for label, url in (
                ("A's page", route.build(values)),
                ("own page with A's ids", route.build(values | own)),
            ):
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    where = f"{state}: {method.upper()} {url} as {who} ({label})"
                    body = response.content.decode("utf-8", "replace")
                    if CANARY_A in body:
                        failures.append(f"{where}: shows A's member")
                    if response.status_code >= 500:
                        failures.append(f"{where}: server error")
                    if label == "A's page" and 200 <= response.status_code < 300:
                        failures.append(f"{where}: answered {response.status_code}")
                    if label != "A's page" and "collab_link_id" in route.params:
                        # Refused to everyone; to an operator, who may act on links, missing.
                        expected = 404 if member.is_operator and method == "post" else 400
                        if response.status_code < expected or (
                            expected == 404 and response.status_code != 404
                        ):
                            failures.append(f"{where}: answered {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
def test_an_opted_in_member_of_a_is_seen_by_b_only_while_the_link_is_active(
    world: World, state: str
) -> None:
    link = link_networks(world.operator_a, world.operator_b)
    opt_in(world.alumni_a, link)
    with scope(network=world.net_a):
        do_revoke_link(world.operator_a, link)
    # The link in the state under test (the first one, ended, cannot count any more).
    current = put_link_in_state(world, state)
    if current is not None and state == "active":
        opt_in(world.alumni_a, current)
    with scopes_disabled():
        assert Link.objects.count() == 1 + (current is not None)
    page = world.client(world.alumni_b).get("/n/hidamari-b/links/people/").content.decode()
    assert (page.count("data-person") == 1) == (state == "active"), state
    assert (CANARY_A in page) == (state == "active")
