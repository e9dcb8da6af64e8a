from __future__ import annotations

import pytest
from django.test import Client

from tsunagu.accounts.models import User
from tsunagu.core.testing.factories import make_user
from tsunagu.tenancy.models import Network, Role


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
            "kind": "alumni",
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
            "kind": "alumni",
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
