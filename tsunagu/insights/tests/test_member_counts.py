"""The dashboard's members by role and status: stored, and right after every kind of change.

Each test changes memberships the way the product does (joining, a role given, leaving, an
account deleted, a change rolled back, members written in bulk) and then compares what the
dashboard shows with a count of the memberships themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_members, make_network, make_user
from tsunagu.insights.figures import members_by_role
from tsunagu.insights.member_counts import recount
from tsunagu.insights.rollups import MemberCount
from tsunagu.insights.tasks import refresh_network_figures
from tsunagu.tenancy.actions import do_add_member, do_change_role, do_leave_network
from tsunagu.tenancy.models import Membership, Network, Role, Status

pytestmark = pytest.mark.django_db


def truth(network: Network) -> dict[tuple[str, str], int]:
    with scopes_disabled():
        return {
            (row["role"], row["status"]): row["n"]
            for row in Membership.objects.filter(network=network)
            .values("role", "status")
            .annotate(n=Count("id"))
            .order_by()
        }


@pytest.fixture
def network() -> Iterator[Network]:
    network = make_network(slug="kazahana", name="風花工業 アルムナイ")
    make_member(network, make_user(name="佐藤 美咲"), role=Role.OPERATOR)
    make_member(network, make_user(name="髙橋 一郎"))
    make_member(network, make_user(name="渡邉 花子"), role=Role.EMPLOYEE)
    with scope(network=network):  # as a request of the network is
        yield network


def test_the_first_read_counts_and_stores(network: Network) -> None:
    assert (
        members_by_role(network.pk)
        == truth(network)
        == {
            (Role.OPERATOR, Status.ACTIVE): 1,
            (Role.ALUMNI, Status.ACTIVE): 1,
            (Role.EMPLOYEE, Status.ACTIVE): 1,
        }
    )
    with scopes_disabled():
        assert MemberCount.objects.filter(network=network).count() == len(Role) * len(Status)


def test_joining_a_role_given_and_leaving_move_the_counts(network: Network) -> None:
    members_by_role(network.pk)  # stored before the changes
    newcomer = do_add_member(network, make_user(name="斎藤 湊"), role=Role.ALUMNI)
    operator = Membership.objects.get(network=network, role=Role.OPERATOR)
    with scopes_disabled():
        employee = Membership.objects.get(network=network, role=Role.EMPLOYEE)
    do_change_role(operator, employee, Role.OPERATOR)
    do_leave_network(Membership.objects.get(pk=newcomer.pk))
    assert (
        members_by_role(network.pk)
        == truth(network)
        == {
            (Role.OPERATOR, Status.ACTIVE): 2,
            (Role.ALUMNI, Status.ACTIVE): 1,
            (Role.ALUMNI, Status.LEFT): 1,
        }
    )


def test_a_change_made_on_a_stale_object_moves_the_right_pair(network: Network) -> None:
    members_by_role(network.pk)
    with scopes_disabled():
        first = Membership.objects.get(network=network, role=Role.ALUMNI)
        second = Membership.objects.get(pk=first.pk)
    first.role = Role.EMPLOYEE
    first.save()
    second.status = Status.SUSPENDED  # still believes the member is an alumnus
    second.save()
    assert members_by_role(network.pk) == truth(network)


def test_a_deleted_account_takes_its_membership_away(network: Network) -> None:
    members_by_role(network.pk)
    with scopes_disabled():
        alumnus = Membership.objects.get(network=network, role=Role.ALUMNI)
    alumnus.user.delete()
    assert members_by_role(network.pk) == truth(network)
    assert (Role.ALUMNI, Status.ACTIVE) not in members_by_role(network.pk)


def test_a_change_rolled_back_leaves_the_counts_as_they_were(network: Network) -> None:
    before = members_by_role(network.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_member(network, make_user(name="取消 太郎"))
        raise RuntimeError
    assert members_by_role(network.pk) == before == truth(network)


def test_members_written_in_bulk_are_counted_again(network: Network) -> None:
    members_by_role(network.pk)
    make_members(network, 25, role=Role.EMPLOYEE)
    assert (
        members_by_role(network.pk)[(Role.EMPLOYEE, Status.ACTIVE)]
        == 26
        == truth(network)[(Role.EMPLOYEE, Status.ACTIVE)]
    )


def test_the_nightly_refresh_mends_a_write_that_said_nothing(network: Network) -> None:
    members_by_role(network.pk)
    with scopes_disabled():
        Membership.objects.filter(network=network, role=Role.EMPLOYEE).update(role=Role.ALUMNI)
    assert members_by_role(network.pk) != truth(network)  # the write skipped every signal
    refresh_network_figures(network.pk)
    assert members_by_role(network.pk) == truth(network)


def test_another_network_has_its_own_counts(network: Network) -> None:
    other = make_network(slug="yukimi", name="雪見商事 OB・OG会")
    make_member(other, make_user(name="山﨑 太郎"), role=Role.OPERATOR)
    members_by_role(network.pk)
    members_by_role(other.pk)
    make_member(other, make_user(name="吉田 次郎"))
    assert members_by_role(network.pk) == truth(network)
    assert (
        members_by_role(other.pk)
        == truth(other)
        == {
            (Role.OPERATOR, Status.ACTIVE): 1,
            (Role.ALUMNI, Status.ACTIVE): 1,
        }
    )


def test_the_dashboard_shows_the_stored_counts_without_counting_memberships(
    network: Network,
) -> None:
    recount(network.pk)
    do_add_member(network, make_user(name="斎藤 湊"), role=Role.ALUMNI)
    client = Client()
    with scopes_disabled():
        operator = Membership.objects.get(network=network, role=Role.OPERATOR)
    client.force_login(operator.user)
    url = reverse("insights:dashboard", kwargs={"network_slug": network.slug})
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    grouped = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "tenancy_membership"' in q["sql"]
        and "GROUP BY" in q["sql"]
        and '"tenancy_membership"."role"' in q["sql"]
    ]
    assert grouped == []
    assert page.context["figures"].members[(Role.ALUMNI, Status.ACTIVE)] == 2
