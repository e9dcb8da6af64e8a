from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django_scopes import scopes_disabled

from tsunagu.tenancy.models import Membership, Network, Role


@pytest.mark.django_db
def test_seed_demo_builds_two_japanese_networks_once(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo", members=10)
    assert set(Network.objects.values_list("slug", flat=True)) == {"mitsuba", "hidamari"}
    with scopes_disabled():
        roles = set(
            Membership.objects.filter(network__slug="mitsuba").values_list("role", flat=True)
        )
    assert roles == {Role.OPERATOR, Role.SUPPORTER, Role.EMPLOYEE, Role.ALUMNI}
    assert "operator@example.com" in capsys.readouterr().out
    call_command("seed_demo", if_empty=True)
    assert Network.objects.count() == 2
    client = Client()
    assert client.login(email="alumni@example.com", password="tsunagu-demo")
    chooser = client.get("/").content.decode()
    assert "三ツ葉商事" in chooser and "ひだまりデザイン" in chooser
    home = client.get("/n/mitsuba/").content.decode()
    assert "田中 花子" in home
    # Supporters have welcomed some newcomers, the rest wait in their queue; the office has
    # recorded a year of outcomes in both networks.
    from tsunagu.feed.models import Welcome
    from tsunagu.insights.programme_models import Outcome

    with scopes_disabled():
        for slug in ("mitsuba", "hidamari"):
            assert Welcome.objects.filter(network__slug=slug, member__role=Role.SUPPORTER).exists()
            assert Outcome.objects.filter(network__slug=slug).count() >= 7
    supporter = Client()
    assert supporter.login(email="supporter@example.com", password="tsunagu-demo")
    queue = supporter.get("/n/mitsuba/supporters/")
    assert queue.status_code == 200 and "welcome-queue" in queue.content.decode()
    operator = Client()
    assert operator.login(email="operator@example.com", password="tsunagu-demo")
    assert "カムバック採用" in operator.get("/n/mitsuba/ledger/").content.decode()
    # The two networks are linked, and talk in a room they share.
    rooms = operator.get("/n/mitsuba/links/rooms/").content.decode()
    assert "デザイン×商社 合同勉強会" in rooms
    from tsunagu.collab.models import SharedRoom

    with scopes_disabled():
        room = SharedRoom.objects.get()
    hidamari = Client()
    assert hidamari.login(email="hidamari@example.com", password="tsunagu-demo")
    shown = hidamari.get(f"/n/hidamari/links/rooms/{room.pk}/").content.decode()
    assert "合同勉強会、楽しみにしています" in shown and "佐藤 美咲" in shown
