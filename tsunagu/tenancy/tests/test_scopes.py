from __future__ import annotations

import pytest
from django_scopes import ScopeError, scope

from tsunagu.notify.actions import notify
from tsunagu.notify.models import Notification
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World


@pytest.mark.django_db
def test_a_query_on_network_data_without_a_scope_fails_instead_of_leaking(world: World) -> None:
    with pytest.raises(ScopeError):
        list(Membership.objects.all())
    with pytest.raises(ScopeError):
        Notification.objects.count()


@pytest.mark.django_db
def test_inside_network_b_even_an_explicit_query_for_a_finds_nothing(world: World) -> None:
    with scope(network=world.net_a):
        notify(world.net_a, [world.alumni_a.user], "welcome")
        assert Notification.objects.filter(network=world.net_a).count() == 1
        assert Membership.objects.count() == 4
    with scope(network=world.net_b):
        assert Notification.objects.filter(network=world.net_a).count() == 0
        assert not Membership.objects.filter(user=world.alumni_a.user).exists()
        assert Membership.objects.count() == 3


@pytest.mark.django_db
def test_notify_never_reaches_someone_outside_the_network(world: World) -> None:
    with scope(network=world.net_a):
        created = notify(
            world.net_a,
            [world.alumni_a.user, world.alumni_b.user, world.outsider],
            "announcement",
            params={"title": "総会のご案内"},
        )
    assert [n.recipient_id for n in created] == [world.alumni_a.user_id]
