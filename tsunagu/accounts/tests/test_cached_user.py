"""The signed-in user is read from the cache, and every change to the account shows at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def home(world: World) -> str:
    return f"/n/{world.net_a.slug}/"


def test_the_cache_holds_the_user_without_the_password_hash(world: World) -> None:
    client = world.client(world.alumni_a)
    assert client.get(home(world)).status_code == 200
    stored = b"".join(value for value in cache._cache.values())  # type: ignore[attr-defined]
    assert world.alumni_a.user.email.encode() in stored  # the user row is cached...
    assert world.alumni_a.user.password.encode() not in stored  # ...but never the hash


def test_a_new_password_elsewhere_ends_the_other_sessions(world: World) -> None:
    client = world.client(world.alumni_a)
    assert client.get(home(world)).status_code == 200  # the user is cached now
    with scopes_disabled():
        user = User.objects.get(pk=world.alumni_a.user_id)
    user.set_password("新しいパスワード-2026")
    user.save()
    response = client.get(home(world))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_deactivated_account_is_signed_out_on_its_next_request(world: World) -> None:
    client = world.client(world.alumni_a)
    assert client.get(home(world)).status_code == 200
    with scopes_disabled():
        user = User.objects.get(pk=world.alumni_a.user_id)
        user.is_active = False
        user.save()
    response = client.get(home(world))
    assert response.status_code == 302


def test_a_renamed_member_sees_the_new_name_and_saving_keeps_the_password(world: World) -> None:
    client = world.client(world.alumni_a)
    client.get(home(world))
    with scopes_disabled():
        user = User.objects.get(pk=world.alumni_a.user_id)
    password = user.password
    user.name = "田中 花子（新姓 佐々木）"
    user.save()
    menu = '<span class="menu__label">田中 花子（新姓 佐々木）</span>'  # the signed-in user's own
    assert menu in client.get(home(world)).content.decode()
    # A page that saves the signed-in user (the language switch) writes only what it loaded.
    client.post("/language/", {"language": "en", "next": home(world)})
    with scopes_disabled():
        user.refresh_from_db()
    assert user.language == "en" and user.password == password
