"""A dashboard whose cache was lost: every figure is computed again, the drawings of charts
already drawn are read back, and the nightly refresh has drawn them before anyone asks."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.core.models import ChartImage
from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.insights.models import ActivityDay
from tsunagu.insights.tasks import refresh_network_figures
from tsunagu.tenancy.days import network_day
from tsunagu.tenancy.models import Membership, Network, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def network() -> Network:
    network = make_network(slug="kazahana", name="風花工業 アルムナイ")
    operator = make_member(network, make_user(name="佐藤 美咲"), role=Role.OPERATOR)
    alumnus = make_member(network, make_user(name="髙橋 一郎"))
    today = network_day(timezone.now())
    with scopes_disabled():
        for member in (operator, alumnus):
            ActivityDay.objects.create(network=network, member=member, day=today, posted=True)
    return network


def images(page: str) -> list[str]:
    return re.findall(r'src="(data:image/svg\+xml;base64,[^"]+)"', page)


def dashboard(network: Network) -> str:
    client = Client()
    with scopes_disabled():
        operator = Membership.objects.get(network=network, role=Role.OPERATOR)
    client.force_login(operator.user)
    page = client.get(reverse("insights:dashboard", kwargs={"network_slug": network.slug}))
    assert page.status_code == 200
    return page.content.decode()


def test_after_the_cache_is_lost_the_same_charts_are_read_back_not_drawn_again(
    network: Network,
) -> None:
    first = dashboard(network)
    drawn = ChartImage.objects.count()
    assert drawn > 0 and images(first)
    cache.clear()
    again = dashboard(network)
    assert ChartImage.objects.count() == drawn
    assert images(again) == images(first)


def test_the_nightly_refresh_draws_the_charts_before_anyone_asks(network: Network) -> None:
    refresh_network_figures(network.pk)
    drawn = ChartImage.objects.count()
    assert drawn > 0
    cache.clear()
    dashboard(network)
    assert ChartImage.objects.count() == drawn
