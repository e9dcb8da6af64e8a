"""The records belong to one network, and contributions are never changed nor deleted."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from tsunagu.boards.tests.helpers import make_thread
from tsunagu.insights.models import ActivityDay, Contribution
from tsunagu.profiles.models import LifeUpdate
from tsunagu.tenancy.actions import do_note_seen
from tsunagu.tenancy.models import Membership, Network, Role
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def activity_in_a(world: World) -> None:
    do_note_seen(world.alumni_a.pk)
    make_thread(world.alumni_a)


def test_network_b_sees_nothing_of_network_as_records(world: World) -> None:
    activity_in_a(world)
    with scope(network=world.net_a):
        assert ActivityDay.objects.count() == 1
        assert Contribution.objects.count() == 1
    with scope(network=world.net_b):
        assert not ActivityDay.objects.exists()
        assert not Contribution.objects.exists()
        assert not ActivityDay.objects.filter(member=world.alumni_a).exists()
        assert not Contribution.objects.filter(member=world.alumni_a).exists()


def test_a_query_without_a_network_fails_instead_of_reading_every_network(world: World) -> None:
    activity_in_a(world)
    with pytest.raises(ScopeError):
        list(ActivityDay.objects.all())
    with pytest.raises(ScopeError):
        list(Contribution.objects.all())


def test_a_contribution_cannot_be_changed_or_deleted(world: World) -> None:
    make_thread(world.alumni_a)
    with scope(network=world.net_a):
        row = Contribution.objects.get()
        row.role = Role.OPERATOR
        with pytest.raises(ValueError, match="never changed"):
            row.save()
        with pytest.raises(ValueError, match="never deleted"):
            row.delete()
        with pytest.raises(ValueError, match="never changed"):
            Contribution.objects.filter(pk=row.pk).update(role=Role.OPERATOR)
        with pytest.raises(ValueError, match="never deleted"):
            Contribution.objects.filter(pk=row.pk).delete()
        assert Contribution.objects.get().role == Role.ALUMNI


def test_a_removed_member_leaves_anonymous_records_and_a_removed_network_none(
    world: World,
) -> None:
    activity_in_a(world)
    with scopes_disabled():
        Membership.objects.filter(pk=world.alumni_a.pk).delete()
        assert list(Contribution.objects.values_list("member_id", "role")) == [(None, "alumni")]
        assert list(ActivityDay.objects.values_list("member_id", flat=True)) == [None]

    do_note_seen(world.alumni_b.pk)
    LifeUpdate.objects.create(network=world.net_b, membership=world.alumni_b, body="転職しました")
    with scopes_disabled():
        assert Contribution.objects.filter(network=world.net_b).exists()
        Network.objects.filter(pk=world.net_b.pk).delete()
        assert not Contribution.objects.filter(network_id=world.net_b.pk).exists()
        assert not ActivityDay.objects.filter(network_id=world.net_b.pk).exists()
        assert Contribution.objects.filter(network=world.net_a).count() == 1
