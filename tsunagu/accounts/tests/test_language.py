"""Japanese by default, English on request; the choice follows the member across devices."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tsunagu.core.testing.factories import PASSWORD, make_user
from tsunagu.core.testing.messages import REQUIRED

pytestmark = pytest.mark.django_db
# Account mails are queued when the request's writes commit. A test that reads them runs without
# the wrapping transaction, so each request commits as it does in production.
mails_leave_on_commit = pytest.mark.django_db(transaction=True)

COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def html_lang(response: object) -> str:
    match = re.search(r'<html lang="([^"]*)"', response.content.decode())  # type: ignore[attr-defined]
    assert match, "no <html lang> on the page"
    return match[1]


def test_a_new_visitor_gets_japanese_pages() -> None:
    response = Client().get("/accounts/login/")

    assert response.status_code == 200
    assert html_lang(response) == "ja"
    html = response.content.decode()
    assert "ログイン" in html
    assert "パスワード" in html


def test_switching_to_english_sets_the_cookie_and_returns_to_the_page() -> None:
    client = Client()

    response = client.post("/language/", {"language": "en", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[COOKIE].value == "en"
    page = client.get("/accounts/login/")
    assert html_lang(page) == "en"
    assert "Password" in page.content.decode()
    assert "パスワード" not in page.content.decode()


def test_switching_back_to_japanese_works() -> None:
    client = Client()
    client.post("/language/", {"language": "en"})

    client.post("/language/", {"language": "ja"})

    assert html_lang(client.get("/accounts/login/")) == "ja"


def test_a_logged_in_member_switching_language_keeps_it_on_the_account() -> None:
    user = make_user(email="hanako@example.jp")
    client = Client()
    client.force_login(user)

    client.post("/language/", {"language": "en", "next": "/accounts/settings/"})

    user.refresh_from_db()
    assert user.language == "en"
    assert html_lang(client.get("/accounts/settings/")) == "en"


def test_logging_in_brings_back_the_members_saved_language() -> None:
    make_user(email="emily@example.jp", name="Emily Clark", language="en")
    client = Client()  # a new device: no language cookie, so Japanese
    assert html_lang(client.get("/accounts/login/")) == "ja"

    response = client.post("/accounts/login/", {"login": "emily@example.jp", "password": PASSWORD})

    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "en"
    assert html_lang(client.get("/accounts/settings/")) == "en"


def test_logging_in_as_a_japanese_member_on_an_english_browser_switches_to_japanese() -> None:
    make_user(email="hanako@example.jp", language="ja")
    client = Client()
    client.post("/language/", {"language": "en"})

    client.post("/accounts/login/", {"login": "hanako@example.jp", "password": PASSWORD})

    assert html_lang(client.get("/accounts/settings/")) == "ja"


def test_an_unknown_language_is_ignored_without_error() -> None:
    user = make_user(email="hanako@example.jp")
    client = Client()
    client.force_login(user)

    for value in ("fr", "", "en-US<script>", "ＥＮ"):
        response = client.post("/language/", {"language": value, "next": "/accounts/settings/"})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/settings/"
        assert COOKIE not in response.cookies

    user.refresh_from_db()
    assert user.language == "ja"
    assert html_lang(client.get("/accounts/settings/")) == "ja"


def test_switching_language_needs_a_post() -> None:
    assert Client().get("/language/?language=en").status_code == 405


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "http://testserver.evil.example/",
        "/\\evil.example/",
    ],
)
def test_switching_language_never_redirects_to_another_site(target: str) -> None:
    response = Client().post("/language/", {"language": "en", "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_switching_language_ignores_a_referer_from_another_site() -> None:
    response = Client().post(
        "/language/", {"language": "en"}, HTTP_REFERER="https://evil.example/phish"
    )

    assert response["Location"] == "/"


def test_switching_language_returns_to_the_referring_page_of_this_site() -> None:
    response = Client().post(
        "/language/", {"language": "en"}, HTTP_REFERER="http://testserver/accounts/signup/"
    )

    assert response["Location"] == "http://testserver/accounts/signup/"


def test_account_settings_save_name_and_language() -> None:
    user = make_user(email="hanako@example.jp", name="山田 花子")
    client = Client()
    client.force_login(user)

    response = client.post(
        "/accounts/settings/", {"name": "佐藤 花子（旧姓 山田）", "language": "en"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/settings/"
    user.refresh_from_db()
    assert user.name == "佐藤 花子（旧姓 山田）"
    assert user.language == "en"
    page = client.get("/accounts/settings/")
    assert html_lang(page) == "en"
    assert "佐藤 花子（旧姓 山田）" in page.content.decode()


@pytest.mark.parametrize("blank", ["", "　　", "   "])
def test_account_settings_refuse_an_empty_name_with_a_japanese_error(blank: str) -> None:
    user = make_user(email="hanako@example.jp", name="山田 花子")
    client = Client()
    client.force_login(user)

    response = client.post("/accounts/settings/", {"name": blank, "language": "ja"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_name_error"' in html
    assert REQUIRED in html
    user.refresh_from_db()
    assert user.name == "山田 花子"


def test_account_settings_refuse_an_unknown_language() -> None:
    user = make_user(email="hanako@example.jp")
    client = Client()
    client.force_login(user)

    response = client.post("/accounts/settings/", {"name": "山田 花子", "language": "fr"})

    assert response.status_code == 200
    assert 'id="id_language_error"' in response.content.decode()
    user.refresh_from_db()
    assert user.language == "ja"


def test_account_settings_need_a_login() -> None:
    response = Client().get("/accounts/settings/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@mails_leave_on_commit
def test_signing_up_from_the_english_page_gives_english_mail_and_account() -> None:
    from tsunagu.accounts.models import User

    client = Client()
    client.post("/language/", {"language": "en"})
    password = "さくら-満開-2026-春"

    client.post(
        "/accounts/signup/",
        {
            "name": "Emily Clark",
            "email": "emily@example.jp",
            "password1": password,
            "password2": password,
        },
    )

    assert User.objects.get(email="emily@example.jp").language == "en"
    assert mail.outbox[0].subject == "[Tsunagu] Please Confirm Your Email Address"


@mails_leave_on_commit
def test_password_reset_mail_follows_the_members_language_not_the_page() -> None:
    make_user(email="emily@example.jp", name="Emily Clark", language="en")

    Client().post("/accounts/password/reset/", {"email": "emily@example.jp"})  # Japanese page

    assert mail.outbox[0].subject == "[Tsunagu] Password Reset Email"
