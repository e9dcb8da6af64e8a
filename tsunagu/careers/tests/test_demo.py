from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.careers.models import Application, Opportunity
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def test_both_demo_networks_have_opportunities_in_japanese(world: World) -> None:
    call_command("seed_demo", members=10)
    with scopes_disabled():
        alumni = User.objects.get(email="alumni@example.com")
        operator = User.objects.get(email="operator@example.com")
        hidamari_operator = User.objects.get(email="hidamari@example.com")
        first = Opportunity.objects.filter(network__slug="mitsuba").order_by("pk").first()
        assert Application.objects.filter(opportunity=first).count() >= 3
    client = world.client(alumni)
    mitsuba = client.get("/n/mitsuba/careers/").content.decode()
    assert "カムバック採用：法人営業マネージャー（東京）" in mitsuba
    assert "業務委託：経理の月次決算サポート" in mitsuba
    assert "紹介依頼：医療業界" not in mitsuba  # waiting for the operators
    hidamari = client.get("/n/hidamari/careers/").content.decode()
    assert "エディトリアルデザイン" in hidamari
    manage = world.client(operator).get("/n/mitsuba/careers/manage/").content.decode()
    assert "紹介依頼：医療業界に詳しい方" in manage
    answers = world.client(operator).get(f"/n/mitsuba/careers/{first.pk}/answers/")
    assert answers.status_code == 200
    talent = world.client(hidamari_operator).get("/n/hidamari/careers/talent/", follow=True)
    assert talent.status_code == 200 and 'name="open_to"' in talent.content.decode()
