"""Sign-up, e-mail verification, password reset, login limits and logout, as a visitor sees them."""

from __future__ import annotations

import re
import time
import types
from collections.abc import Iterator

import pytest
from allauth.account.models import EmailAddress
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client

from tsunagu.accounts.models import User
from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db
# Account mails are queued when the request's writes commit. A test that reads them runs without
# the wrapping transaction, so each request commits as it does in production.
mails_leave_on_commit = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "さくら-満開-2026-春"
CONFIRM_LINK = re.compile(r"http://testserver(/accounts/confirm-email/[^/\s]+/)")
RESET_LINK = re.compile(r"http://testserver(/accounts/password/reset/key/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    # allauth counts login failures in the cache; one test's failures must not lock out the next.
    cache.clear()
    yield
    cache.clear()


def sign_up(client: Client, email: str, name: str = "山田 花子") -> object:
    return client.post(
        "/accounts/signup/",
        {"name": name, "email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def log_in(client: Client, email: str, password: str) -> object:
    return client.post("/accounts/login/", {"login": email, "password": password})


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def confirm_path_from(message: mail.EmailMessage) -> str:
    match = CONFIRM_LINK.search(message.body)
    assert match, message.body
    return match[1]


# --- Sign-up and e-mail verification -----------------------------------------------------------


@mails_leave_on_commit
def test_sign_up_sends_a_verification_mail_in_japanese() -> None:
    client = Client()
    response = sign_up(client, "hanako@example.jp")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="hanako@example.jp")
    assert user.name == "山田 花子"
    assert user.language == "ja"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanako@example.jp"]
    assert message.subject == "[Tsunagu] メールアドレスを確認してください"
    assert "山田 花子" in message.body
    assert CONFIRM_LINK.search(message.body)

    page = client.get(response["Location"])
    assert "確認のメールを送信しました" in page.content.decode()


@mails_leave_on_commit
def test_verification_mail_speaks_as_tsunagu_not_as_a_placeholder_site() -> None:
    sign_up(Client(), "hanako@example.jp")

    (message,) = mail.outbox
    # allauth signs its mails with the django.contrib.sites name and domain; left at Django's
    # default, members read "こんにちは、example.com です!" from a stranger's domain.
    assert "example.com" not in message.body
    assert "Tsunagu" in message.body or "testserver" in message.body


def test_sign_up_keeps_the_name_with_full_width_spaces_collapsed() -> None:
    sign_up(Client(), "taro@example.jp", name="  ｙａｍａｄａ　 太郎  ")

    assert User.objects.get(email="taro@example.jp").name == "ｙａｍａｄａ 太郎"


def test_sign_up_without_a_name_is_refused() -> None:
    response = sign_up(Client(), "noname@example.jp", name="　 ")

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not User.objects.filter(email="noname@example.jp").exists()
    assert mail.outbox == []


def test_unverified_user_cannot_log_in_until_the_address_is_confirmed() -> None:
    sign_up(Client(), "hanako@example.jp")
    mail.outbox.clear()

    client = Client()
    response = log_in(client, "hanako@example.jp", NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert logged_in_user_id(client) is None
    assert client.get("/accounts/settings/").status_code == 302  # still sent to log in


@mails_leave_on_commit
def test_opening_the_confirmation_link_and_confirming_verifies_and_logs_in() -> None:
    client = Client()
    sign_up(client, "hanako@example.jp")
    path = confirm_path_from(mail.outbox[0])

    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "メールアドレスの確認" in html
    assert "hanako@example.jp" in html
    user = User.objects.get(email="hanako@example.jp")
    assert not EmailAddress.objects.get(user=user).verified, "GET alone must not confirm"

    response = client.post(path)

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert logged_in_user_id(client) == str(user.pk)
    assert client.get("/accounts/settings/").status_code == 200


@mails_leave_on_commit
def test_confirming_in_another_browser_verifies_and_the_password_then_logs_in() -> None:
    sign_up(Client(), "hanako@example.jp")
    path = confirm_path_from(mail.outbox[0])

    other_browser = Client()  # e.g. the phone's mail app
    other_browser.post(path)

    user = User.objects.get(email="hanako@example.jp")
    assert EmailAddress.objects.get(user=user).verified
    client = Client()
    assert log_in(client, "hanako@example.jp", NEW_PASSWORD).status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


@mails_leave_on_commit
def test_an_expired_confirmation_link_says_so_and_does_not_verify(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_up(Client(), "hanako@example.jp")
    path = confirm_path_from(mail.outbox[0])
    # Four days later: past ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3.
    later = time.time() + 4 * 24 * 60 * 60
    monkeypatch.setattr(signing, "time", types.SimpleNamespace(time=lambda: later))

    client = Client()
    page = client.get(path)

    assert page.status_code == 200
    html = page.content.decode()
    assert "メールアドレスの確認" in html
    assert 'href="/accounts/email/"' in html  # the way to ask for a new link
    assert "hanako@example.jp" not in html

    response = client.post(path)

    assert response.status_code < 500
    assert not EmailAddress.objects.get(email="hanako@example.jp").verified
    assert logged_in_user_id(client) is None


@mails_leave_on_commit
def test_a_tampered_confirmation_link_does_not_verify() -> None:
    sign_up(Client(), "hanako@example.jp")
    path = confirm_path_from(mail.outbox[0])
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]

    client = Client()
    assert client.get(tampered).status_code == 200
    assert client.post(tampered).status_code < 500
    assert not EmailAddress.objects.get(email="hanako@example.jp").verified


# --- Duplicate addresses --------------------------------------------------------------------------


@mails_leave_on_commit
def test_signing_up_with_a_taken_address_looks_like_a_new_sign_up_and_warns_the_owner() -> None:
    owner = make_user(email="hanako@example.jp", name="山田 花子")

    fresh_client = Client()
    fresh = sign_up(fresh_client, "jiro@example.jp", name="佐藤 次郎")
    fresh_page = fresh_client.get(fresh["Location"]).content.decode()
    mail.outbox.clear()

    taken_client = Client()
    taken = sign_up(taken_client, "hanako@example.jp", name="偽物 花子")
    taken_page = taken_client.get(taken["Location"]).content.decode()

    # The visitor learns nothing: same status, same next page, no error about the address.
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert _without_tokens(taken_page.replace("hanako@example.jp", "@")) == _without_tokens(
        fresh_page.replace("jiro@example.jp", "@")
    )
    assert User.objects.filter(email="hanako@example.jp").count() == 1
    owner.refresh_from_db()
    assert owner.name == "山田 花子"
    # The owner learns by mail that someone tried, with a way back into the account.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanako@example.jp"]
    assert message.subject == "[Tsunagu] アカウントが既に存在"
    assert "http://testserver/accounts/password/reset/" in message.body
    assert not CONFIRM_LINK.search(message.body)


@mails_leave_on_commit
def test_account_already_exists_mail_is_in_the_owners_language() -> None:
    make_user(email="emily@example.jp", name="Emily Clark", language="en")

    sign_up(Client(), "emily@example.jp", name="誰か")  # from a Japanese page

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[Tsunagu] Account Already Exists"


def _without_tokens(html: str) -> str:
    return re.sub(r'value="[A-Za-z0-9]{64}"|"X-CSRFToken": "[A-Za-z0-9]{64}"', "", html)


# --- Password reset -------------------------------------------------------------------------------


@mails_leave_on_commit
def test_password_reset_answers_alike_for_known_and_unknown_addresses() -> None:
    make_user(email="hanako@example.jp")

    known = Client().post("/accounts/password/reset/", {"email": "hanako@example.jp"})
    unknown = Client().post("/accounts/password/reset/", {"email": "dareka@example.jp"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/done/"
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert RESET_LINK.search(by_recipient["hanako@example.jp"].body)
    assert "dareka@example.jp" not in by_recipient or not RESET_LINK.search(
        by_recipient["dareka@example.jp"].body
    )


@mails_leave_on_commit
def test_following_the_reset_link_sets_a_new_password_that_logs_in() -> None:
    user = make_user(email="hanako@example.jp")
    Client().post("/accounts/password/reset/", {"email": "hanako@example.jp"})
    (message,) = mail.outbox
    assert message.subject == "[Tsunagu] パスワード再設定メール"
    match = RESET_LINK.search(message.body)
    assert match

    client = Client()
    form_page = client.get(match[1], follow=True)
    assert form_page.status_code == 200
    set_password_path = form_page.redirect_chain[-1][0] if form_page.redirect_chain else match[1]
    response = client.post(
        set_password_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302

    assert log_in(Client(), "hanako@example.jp", PASSWORD).status_code == 200  # old one refused
    fresh = Client()
    assert log_in(fresh, "hanako@example.jp", NEW_PASSWORD).status_code == 302
    assert logged_in_user_id(fresh) == str(user.pk)


# --- Login ----------------------------------------------------------------------------------------


def test_wrong_password_shows_a_japanese_error_and_logs_nobody_in() -> None:
    make_user(email="hanako@example.jp")
    client = Client()

    response = log_in(client, "hanako@example.jp", "まちがい-password")

    assert response.status_code == 200
    assert (
        "入力されたメールアドレスもしくはパスワードが正しくありません。"
        in response.content.decode()
    )
    assert logged_in_user_id(client) is None


def test_right_password_logs_in_and_is_case_insensitive_on_the_address() -> None:
    user = make_user(email="hanako@example.jp")
    client = Client()

    response = log_in(client, "Hanako@Example.JP", PASSWORD)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_login_is_refused_after_too_many_wrong_passwords_even_with_the_right_one() -> None:
    make_user(email="hanako@example.jp")
    for attempt in range(5):
        response = log_in(Client(), "hanako@example.jp", f"まちがい-{attempt}")
        assert "正しくありません" in response.content.decode()

    client = Client()
    response = log_in(client, "hanako@example.jp", PASSWORD)

    assert response.status_code == 200
    assert "ログイン失敗が連続しています。" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_too_many_wrong_passwords_for_one_address_do_not_lock_out_another() -> None:
    other = make_user(email="jiro@example.jp", name="佐藤 次郎")
    make_user(email="hanako@example.jp")
    for attempt in range(5):
        log_in(Client(), "hanako@example.jp", f"まちがい-{attempt}")

    client = Client()
    assert log_in(client, "jiro@example.jp", PASSWORD).status_code == 302
    assert logged_in_user_id(client) == str(other.pk)


def test_disabled_user_cannot_log_in_and_is_told_the_account_is_inactive() -> None:
    make_user(email="hanako@example.jp", is_active=False)
    client = Client()

    response = log_in(client, "hanako@example.jp", PASSWORD)

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "無効なアカウント" in page.content.decode()
    assert logged_in_user_id(client) is None


def test_logout_needs_a_post_and_then_ends_the_session() -> None:
    user = make_user(email="hanako@example.jp")
    client = Client()
    log_in(client, "hanako@example.jp", PASSWORD)

    page = client.get("/accounts/logout/")
    assert "ログアウトしますか" in page.content.decode()
    assert logged_in_user_id(client) == str(user.pk), "a GET (e.g. a link or an <img>) logs out"

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert logged_in_user_id(client) is None
    assert client.get("/accounts/settings/").status_code == 302


# --- One account, several networks ----------------------------------------------------------------


def test_member_of_two_networks_chooses_between_them_on_the_front_page(world: World) -> None:
    hanako = make_user(email="hanako@example.jp")
    make_member(world.net_a, hanako)
    make_member(world.net_b, hanako)
    client = Client()
    log_in(client, "hanako@example.jp", PASSWORD)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "三ツ葉商事 アルムナイ" in html
    assert "ひだまり OB・OG会" in html
    assert 'href="/n/mitsuba-a/"' in html
    assert 'href="/n/hidamari-b/"' in html
    assert client.get("/n/mitsuba-a/").status_code == 200
    assert client.get("/n/hidamari-b/").status_code == 200


def test_member_of_one_network_goes_straight_to_it(world: World) -> None:
    client = world.client(world.alumni_b)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/n/hidamari-b/"


def test_the_chooser_lists_only_networks_where_the_membership_is_active(world: World) -> None:
    from tsunagu.tenancy.models import Status

    hanako = make_user(email="hanako@example.jp")
    make_member(world.net_a, hanako)
    make_member(world.net_b, hanako, status=Status.SUSPENDED)
    make_member(make_network(name="閉鎖済み ネットワーク", is_active=False), hanako)

    response = world.client(hanako).get("/")

    # One active membership left: straight to it.
    assert response.status_code == 302
    assert response["Location"] == "/n/mitsuba-a/"
