"""The demo looks alive: a year of activity, the office's warning, and members seen lately."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django_scopes import scopes_disabled

from tsunagu.insights.models import ActivityDay
from tsunagu.tenancy.models import Membership, Status


@pytest.mark.django_db
def test_the_demo_dashboard_shows_a_year_of_trends_and_the_office_warning() -> None:
    call_command("seed_demo", members=40)
    with scopes_disabled():
        active = Membership.objects.filter(network__slug="mitsuba", status=Status.ACTIVE)
        assert not active.filter(last_seen_at__isnull=True).exists()  # no 「最終活動: なし」
        days = ActivityDay.objects.filter(network__slug="mitsuba").dates("day", "month")
        assert len(days) >= 12
    client = Client()
    assert client.login(email="operator@example.com", password="tsunagu-demo")
    client.cookies["django_language"] = "ja"
    page = client.get("/n/mitsuba/insights/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-warning="office_share"' in html
    assert html.count('<img class="chart__image"') == 6
