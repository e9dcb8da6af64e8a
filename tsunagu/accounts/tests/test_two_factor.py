"""TOTP two-factor authentication (allauth.mfa): an operator turns it on, then logs in with it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client

from tsunagu.core.testing.factories import PASSWORD
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Rate limits and "this code was already used" marks live in the cache.
    cache.clear()
    yield
    cache.clear()


def totp_code(secret: str, offset_periods: int = 0) -> str:
    if offset_periods == 0 and 30 - time.time() % 30 < 1.5:
        time.sleep(1.5)  # MFA_TOTP_TOLERANCE is 0: do not hand in a code about to expire
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset_periods))


def wrong_code_for(secret: str) -> str:
    valid = {totp_code(secret, offset) for offset in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def log_in_with_password(client: Client, email: str) -> object:
    return client.post("/accounts/login/", {"login": email, "password": PASSWORD})


def activate_totp(client: Client) -> str:
    """Walks the activation page as the operator would, with an authenticator app; returns the
    secret the app would have scanned from the QR code."""
    page = client.get("/accounts/2fa/totp/activate/")
    # Turning on 2FA is sensitive: the password is asked again even right after logging in.
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/reauthenticate/")
    client.post(page["Location"], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()  # shown for typing into the app by hand
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()
    return secret


def test_operator_turns_on_totp_and_then_needs_a_code_to_log_in(world: World) -> None:
    operator = world.operator_a.user
    client = Client()
    log_in_with_password(client, operator.email)
    secret = activate_totp(client)
    assert Authenticator.objects.filter(user=operator, type=Authenticator.Type.TOTP).exists()
    client.post("/accounts/logout/")

    client = Client()
    response = log_in_with_password(client, operator.email)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session, "the password alone must not log in"
    assert client.get("/n/mitsuba-a/").status_code == 302
    page = client.get("/accounts/2fa/authenticate/")
    assert "多要素認証" in page.content.decode()

    wrong = client.post("/accounts/2fa/authenticate/", {"code": wrong_code_for(secret)})
    assert wrong.status_code == 200
    assert "コードが正しくありません。" in wrong.content.decode()
    assert "_auth_user_id" not in client.session

    right = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(operator.pk)
    assert client.get("/n/mitsuba-a/").status_code == 200


def test_a_wrong_code_does_not_turn_on_totp(world: World) -> None:
    client = Client()
    log_in_with_password(client, world.operator_a.user.email)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]

    response = client.post("/accounts/2fa/totp/activate/", {"code": wrong_code_for(secret)})

    assert response.status_code == 200
    assert "コードが正しくありません。" in response.content.decode()
    assert not Authenticator.objects.filter(user=world.operator_a.user).exists()
    fresh = Client()
    log_in_with_password(fresh, world.operator_a.user.email)
    assert fresh.session["_auth_user_id"] == str(world.operator_a.user.pk)


def test_a_code_works_only_once(world: World) -> None:
    email = world.operator_a.user.email
    client = Client()
    log_in_with_password(client, email)
    secret = activate_totp(client)
    client.post("/accounts/logout/")
    first = Client()
    log_in_with_password(first, email)
    code = totp_code(secret)
    first.post("/accounts/2fa/authenticate/", {"code": code})
    assert first.session["_auth_user_id"] == str(world.operator_a.user.pk)

    eavesdropper = Client()
    log_in_with_password(eavesdropper, email)
    response = eavesdropper.post("/accounts/2fa/authenticate/", {"code": code})

    assert response.status_code == 200
    assert "_auth_user_id" not in eavesdropper.session


def test_a_recovery_code_logs_in_when_the_phone_is_lost(world: World) -> None:
    email = world.operator_a.user.email
    client = Client()
    log_in_with_password(client, email)
    activate_totp(client)
    page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    codes = re.findall(r"\b[0-9a-f]{8}\b", page)
    assert codes, page
    client.post("/accounts/logout/")

    client = Client()
    log_in_with_password(client, email)
    response = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.operator_a.user.pk)


def test_operator_without_two_factor_is_urged_to_set_it_up(world: World) -> None:
    client = Client()
    log_in_with_password(client, world.operator_a.user.email)
    assert "/accounts/2fa/" in _main(client.get("/n/mitsuba-a/manage/console/members/"))

    activate_totp(client)

    assert "/accounts/2fa/" not in _main(client.get("/n/mitsuba-a/manage/console/members/"))


def _main(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    return html[html.index("<main") : html.index("</main>")]
