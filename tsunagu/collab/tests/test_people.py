"""Members choose: who of a linked network is seen, what of them, and the records it leaves."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.core.testing.factories import make_member, make_members
from tsunagu.profiles.models import Audience
from tsunagu.tenancy.models import Membership, Role
from tsunagu.testing.world import World

from ..actions import do_revoke_link
from ..disclosures import purge_disclosures
from ..models import Disclosure, Link, OptIn
from .helpers import link_networks, opt_in, request_link, share_across

pytestmark = pytest.mark.django_db

PEOPLE_A = "/n/mitsuba-a/links/people/"
CANARY_B = "カナリアB-51d0e2"


@pytest.fixture
def linked(world: World) -> Any:
    return link_networks(world.operator_a, world.operator_b)


def shown_b(world: World, **values: str) -> Membership:
    """A member of B who opted in and shares their current work with linked networks."""
    member = make_member(world.net_b, name=f"小林 直子 {CANARY_B}")
    share_across(
        member,
        "current_work",
        current_employer="ひかり製作所",
        current_role="企画部長",
        **values,
    )
    return member


def disclosures() -> list[Disclosure]:
    with scopes_disabled():
        return list(Disclosure.objects.order_by("id"))


def test_an_opted_in_member_is_shown_with_what_they_share_and_it_is_recorded(
    world: World, linked: Any
) -> None:
    member = shown_b(world, industry="製造業")  # industry stays with B's own members
    opt_in(member, linked)
    page = world.client(world.alumni_a).get(PEOPLE_A).content.decode()
    assert CANARY_B in page and "ひかり製作所" in page and "ひだまり OB・OG会" in page
    assert "製造業" not in page
    [record] = disclosures()
    assert (record.network_id, record.membership_id, record.viewer_network_id) == (
        world.net_b.pk,
        member.pk,
        world.net_a.pk,
    )
    assert record.fields == ["current_work", "name"]
    assert record.day == timezone.localdate() and record.views == 1
    with scopes_disabled():
        assert record.consent == OptIn.objects.get(membership=member)
    # The same day, another view and another field: one row, fields merged.
    share_across(member, "industry")
    world.client(world.operator_a).get(PEOPLE_A)
    [record] = disclosures()
    assert (record.fields, record.views) == (["current_work", "industry", "name"], 2)


def test_nobody_is_shown_without_opting_in_and_fields_stay_hidden_by_default(
    world: World, linked: Any
) -> None:
    shown_b(world)  # shares a field, but never opted in
    quiet = make_member(world.net_b, name="中村 恵")
    opt_in(quiet, linked)  # opted in, but shares no field with linked networks
    page = world.client(world.alumni_a).get(PEOPLE_A).content.decode()
    assert CANARY_B not in page
    assert "中村 恵" in page
    assert [r.fields for r in disclosures()] == [["name"]]


@pytest.mark.parametrize("how", ["opt out", "revoke", "revoke by the other side"])
def test_opting_out_or_ending_the_link_hides_the_member_at_the_next_request(
    world: World, linked: Any, how: str
) -> None:
    member = shown_b(world)
    opt_in(member, linked)
    client = world.client(world.alumni_a)
    assert CANARY_B in client.get(PEOPLE_A).content.decode()
    if how == "opt out":
        response = world.client(member).post(
            "/n/hidamari-b/links/sharing/", {"link": linked.pk, "visible": "0"}
        )
        assert response.status_code == 302
    elif how == "revoke":
        with scope(network=world.net_a):
            do_revoke_link(world.operator_a, linked)
    else:
        with scope(network=world.net_b):
            do_revoke_link(world.operator_b, linked)
    assert CANARY_B not in client.get(PEOPLE_A).content.decode()
    assert len(disclosures()) == 1  # only the view made while it was allowed


def test_a_pending_link_or_one_without_the_directory_shows_nobody(world: World) -> None:
    request_link(world.operator_a, "hidamari-b")  # requested, not accepted
    member = shown_b(world)
    client = world.client(world.alumni_a)
    assert CANARY_B not in client.get(PEOPLE_A).content.decode()
    with scope(network=world.net_b):
        assert (
            world.client(member)
            .post("/n/hidamari-b/links/sharing/", {"link": "1", "visible": "1"})
            .status_code
            == 404
        )


def test_a_link_for_events_only_offers_no_opt_in_and_shows_nobody(world: World) -> None:
    link = link_networks(world.operator_a, world.operator_b, scopes=("events",))
    member = shown_b(world)
    response = world.client(member).post(
        "/n/hidamari-b/links/sharing/", {"link": link.pk, "visible": "1"}
    )
    assert response.status_code == 404
    assert CANARY_B not in world.client(world.alumni_a).get(PEOPLE_A).content.decode()


def test_a_member_of_both_networks_is_shown_as_themselves_once(world: World, linked: Any) -> None:
    both_b = shown_b(world)
    both_a = make_member(world.net_a, both_b.user)  # the same person, also in A
    opt_in(both_b, linked)
    page = world.client(world.alumni_a).get(PEOPLE_A).content.decode()
    assert CANARY_B not in page  # A's own directory lists them
    assert "data-person" not in page
    assert disclosures() == []
    # And the person, from A, does not see their B self among linked people.
    assert "data-person" not in world.client(both_a).get(PEOPLE_A).content.decode()


def test_the_sharing_page_turns_the_choice_on_and_off(world: World, linked: Any) -> None:
    client = world.client(world.alumni_b)
    page = client.get("/n/hidamari-b/links/sharing/").content.decode()
    assert "三ツ葉商事 アルムナイ" in page and 'name="visible" value="1"' in page
    client.post("/n/hidamari-b/links/sharing/", {"link": linked.pk, "visible": "1"})
    client.post("/n/hidamari-b/links/sharing/", {"link": linked.pk, "visible": "1"})
    with scopes_disabled():
        assert OptIn.objects.filter(membership=world.alumni_b, opted_out_at=None).count() == 1
    assert 'name="visible" value="0"' in client.get("/n/hidamari-b/links/sharing/").content.decode()
    assert client.post("/n/hidamari-b/links/sharing/", {"link": "x"}).status_code == 400
    # A's member cannot opt in B's member, nor to a link through the wrong network.
    assert (
        world.client(world.alumni_a)
        .post("/n/hidamari-b/links/sharing/", {"link": linked.pk, "visible": "1"})
        .status_code
        == 302  # an outsider of B is sent to B's public page: nothing is written
    )
    with scopes_disabled():
        assert not OptIn.objects.filter(membership__network=world.net_a).exists()


def test_the_linked_people_page_costs_the_same_queries_for_few_and_many(
    world: World, linked: Any, django_assert_num_queries: Any
) -> None:
    client = world.client(world.alumni_a)
    client.get(PEOPLE_A)  # the session and the header's caches are warm

    def add(count: int) -> None:
        for member in make_members(world.net_b, count):
            share_across(member, "current_work", current_employer="会社")
            opt_in(member, linked)

    add(3)
    client.get(PEOPLE_A)
    with django_assert_num_queries(10):
        assert client.get(PEOPLE_A).status_code == 200
    add(12)
    client.get(PEOPLE_A)
    with django_assert_num_queries(10):
        assert client.get(PEOPLE_A).status_code == 200


def test_members_see_who_outside_their_network_saw_their_data(world: World, linked: Any) -> None:
    member = shown_b(world)
    opt_in(member, linked)
    world.client(world.alumni_a).get(PEOPLE_A)
    page = world.client(member).get("/n/hidamari-b/links/seen/").content.decode()
    assert "三ツ葉商事 アルムナイ" in page and "data-seen" in page
    assert (
        "data-seen"
        not in world.client(world.alumni_b).get("/n/hidamari-b/links/seen/").content.decode()
    )


def test_operators_export_the_records_as_csv_and_the_export_is_audited(
    world: World, linked: Any
) -> None:
    member = shown_b(world)
    with scopes_disabled():
        member.user.name = "=HYPERLINK(1) 小林"
        member.user.save()
    opt_in(member, linked)
    world.client(world.alumni_a).get(PEOPLE_A)
    response = world.client(world.operator_b).get("/n/hidamari-b/links/disclosures.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1) 小林" in text and "三ツ葉商事 アルムナイ" in text
    with scopes_disabled():
        entry = AuditEntry.objects.get(network=world.net_b, action=AuditAction.EXPORT_DISCLOSURES)
    assert entry.detail["count"] == 1
    assert (
        world.client(world.alumni_b).get("/n/hidamari-b/links/disclosures.csv").status_code == 403
    )
    # A's operators export A's members' records: none of B's.
    other = world.client(world.operator_a).get("/n/mitsuba-a/links/disclosures.csv")
    assert "小林" not in other.content.decode("utf-8-sig")


def test_records_older_than_three_years_are_purged_and_newer_ones_kept(
    world: World, linked: Any
) -> None:
    member = shown_b(world)
    opt_in(member, linked)
    world.client(world.alumni_a).get(PEOPLE_A)
    [kept] = disclosures()
    with scopes_disabled():
        old = Disclosure.objects.create(
            network=world.net_b,
            membership=member,
            viewer_network=world.net_a,
            day=date.today() - timedelta(days=3 * 366),
            fields=["name"],
            consent=kept.consent,
            link=linked,
            first_at=timezone.now(),
            last_at=timezone.now(),
        )
    assert purge_disclosures() == 1
    assert [r.pk for r in disclosures()] == [kept.pk]
    assert old.pk not in [r.pk for r in disclosures()]


def test_a_viewer_who_is_no_longer_active_sees_nobody(world: World, linked: Any) -> None:
    member = shown_b(world)
    opt_in(member, linked)
    viewer = make_member(world.net_a, role=Role.ALUMNI)
    client = world.client(viewer)
    assert CANARY_B in client.get(PEOPLE_A).content.decode()
    with scopes_disabled():
        viewer.status = "suspended"
        viewer.save()
    assert CANARY_B not in client.get(PEOPLE_A).content.decode()
    assert Audience.LINKED == "linked"


def test_deleting_a_seen_member_or_a_network_takes_their_records_along(
    world: World, linked: Any
) -> None:
    member = shown_b(world)
    opt_in(member, linked)
    world.client(world.alumni_a).get(PEOPLE_A)
    assert len(disclosures()) == 1
    with scopes_disabled():
        member.delete()  # the opt-in the record names goes in the same cascade
        assert not OptIn.objects.filter(membership_id=member.pk).exists()
    assert disclosures() == []
    world.net_b.delete()
    with scopes_disabled():
        assert not Link.objects.exists()


def test_a_network_switched_off_shows_nobody_across_its_links(world: World, linked: Any) -> None:
    member = shown_b(world)
    opt_in(member, linked)
    with scopes_disabled():
        world.net_b.is_active = False
        world.net_b.save()
    assert CANARY_B not in world.client(world.alumni_a).get(PEOPLE_A).content.decode()
