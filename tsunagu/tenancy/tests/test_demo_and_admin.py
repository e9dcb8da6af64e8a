from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.core.testing.factories import make_user
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
    assert "出戻り採用" in operator.get("/n/mitsuba/ledger/").content.decode()


@pytest.mark.django_db
def test_site_admin_creates_a_network_with_its_first_operator() -> None:
    admin = make_user(name="管理者", is_staff=True, is_superuser=True)
    future_operator = make_user(name="佐藤 美咲")
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/tenancy/network/add/",
        {
            "name": "新しい会社 アルムナイ",
            "slug": "new-alumni",
            "brand_color": "#2f5fd0",
            "join_questions": "[]",
            "is_active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-user": str(future_operator.pk),
            "memberships-0-role": Role.OPERATOR,
            "memberships-0-status": "active",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    network = Network.objects.get(slug="new-alumni")
    operator = Client()
    operator.force_login(future_operator)
    assert operator.get(f"/n/{network.slug}/manage/").status_code == 200


@pytest.mark.django_db
def test_an_existing_address_is_refused_with_a_clear_message() -> None:
    Network.objects.create(name="既存", slug="taken")
    admin = make_user(name="管理者", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/tenancy/network/add/",
        {
            "name": "別の会社",
            "slug": "taken",
            "brand_color": "#2f5fd0",
            "join_questions": "[]",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert Network.objects.filter(slug="taken").count() == 1


@pytest.mark.django_db
def test_a_missing_page_answers_404_in_japanese() -> None:
    response = Client().get("/n/does-not-exist/")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert "ページが見つかりません" in page


@pytest.mark.django_db
def test_site_admin_pages_are_for_staff_only() -> None:
    member = make_user(name="一般 会員")
    client = Client()
    client.force_login(member)
    assert client.get("/admin/tenancy/network/").status_code == 302
    assert User.objects.filter(is_staff=True).count() == 0
