"""The main journey in a real browser, in Japanese: sign up, confirm the address, enter the network,
read the welcome notification, switch to English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import connections
from django_scopes import scope
from playwright.sync_api import Browser, Page, expect

from tsunagu.accounts.models import User
from tsunagu.core.testing.factories import PASSWORD, make_network, make_user
from tsunagu.tenancy.actions import do_add_member
from tsunagu.tenancy.models import Network, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NETWORK_NAME = "三ツ葉商事 アルムナイ"
CONFIRM_LINK = re.compile(r"https?://[^\s/]+(/accounts/confirm-email/[^\s]+/)")


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    # Every browser request comes from 127.0.0.1: start with allauth's rate limits untouched by
    # the tests that ran before.
    cache.clear()
    context = browser.new_context(
        locale="ja-JP",
        base_url=live_server.url,
        viewport={"width": 1200, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def run_as_the_server_would(work: Any) -> Any:
    """Runs server-side code in a thread of its own, as a request would.

    After commit, actions push real-time events through ``async_to_sync``, which refuses to run in
    a thread where an event loop is running, as Playwright's is in the test's thread.
    """

    def in_thread() -> Any:
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_thread).result(timeout=30)


def confirm_link(message: EmailMessage) -> str:
    match = CONFIRM_LINK.search(str(message.body))
    assert match, f"no confirmation link in the e-mail:\n{message.body}"
    return match[1]


def test_newcomer_signs_up_in_japanese_reads_the_welcome_and_switches_to_english(
    page: Page, mailoutbox: list[EmailMessage], tmp_path: Path
) -> None:
    network = make_network(slug="mitsuba", name=NETWORK_NAME)
    email = "hanako.yamada@example.jp"

    # Sign up, in Japanese.
    page.goto("/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("ユーザー登録")
    page.fill("input[name=name]", "山田 花子")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    # The verification e-mail arrives, in Japanese, with a link to confirm the address.
    assert [m.to for m in mailoutbox] == [[email]]
    assert "メールアドレスを確認してください" in mailoutbox[0].subject
    page.goto(confirm_link(mailoutbox[0]))
    expect(page.get_by_role("heading", level=1)).to_have_text("メールアドレスの確認")
    page.get_by_role("button", name="確認する").click()
    page.wait_for_url(lambda url: "/accounts/confirm-email/" not in url)

    if "/accounts/login/" in page.url:
        expect(page.get_by_role("heading", level=1)).to_have_text("ログイン")
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # Logged in: the account menu shows the name given at sign-up.
    expect(page.locator("details.menu summary")).to_contain_text("山田 花子")

    user = User.objects.get(email=email)
    assert user.name == "山田 花子"
    assert EmailAddress.objects.get(user=user, email=email).verified

    # Joining the network (an accepted invitation, later) sends the welcome notification.
    def join(network: Network = network, user: User = user) -> None:
        with scope(network=network):
            do_add_member(network, user, role=Role.ALUMNI)

    run_as_the_server_would(join)
    welcome_mails = [m for m in mailoutbox[1:] if m.to == [email]]
    assert len(welcome_mails) == 1
    assert NETWORK_NAME in welcome_mails[0].subject

    page.goto("/n/mitsuba/")
    expect(page.locator(".brand__name")).to_have_text(NETWORK_NAME)
    badge = page.locator("[data-unread-count]")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("1")
    welcome = page.locator(".notification--unread .linklike")
    expect(welcome).to_have_count(1)
    expect(welcome).to_contain_text(NETWORK_NAME)
    expect(welcome).not_to_contain_text("Welcome")  # the sentence is in Japanese
    expect(page.locator(".subnav")).not_to_contain_text("Notifications")
    page.screenshot(path=str(tmp_path / "1-network-home-ja.png"), full_page=True)

    # Switch to English with the footer button: the page comes back in English.
    with page.expect_navigation():
        page.locator("form.langswitch button[name=language][value=en]").click()
    assert page.url.endswith("/n/mitsuba/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("form.langswitch button[value=en]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("form.langswitch button[value=ja]")).not_to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator(".subnav")).to_contain_text("Notifications")
    welcome = page.locator(".notification .linklike")
    expect(welcome).to_have_text(f"Welcome to {NETWORK_NAME}!")

    # Opening the notification reads it: the badge is gone.
    with page.expect_navigation():
        welcome.click()
    assert page.url.endswith("/n/mitsuba/")
    expect(page.locator(".brand__name")).to_have_text(NETWORK_NAME)
    expect(page.locator("[data-unread-count]")).to_be_hidden()
    expect(page.locator("[data-unread-count]")).to_have_text("0")
    expect(page.locator(".notification--unread")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "2-network-home-en-read.png"), full_page=True)

    user.refresh_from_db()
    assert user.language == "en"  # later e-mails follow the choice


def test_wrong_password_shows_a_japanese_error_and_stays_on_the_login_page(
    page: Page, tmp_path: Path
) -> None:
    make_user(email="taro@example.jp", name="田中 太郎")

    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ログイン")
    page.fill("input[name=login]", "taro@example.jp")
    page.fill("input[name=password]", "wrong-password-123")
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()

    expect(
        page.get_by_text("入力されたメールアドレスもしくはパスワードが正しくありません。")
    ).to_be_visible()
    assert page.url.endswith("/accounts/login/")
    expect(page.locator("input[name=login]")).to_have_value("taro@example.jp")
    expect(page.locator("details.menu")).to_have_count(0)  # not logged in
    page.screenshot(path=str(tmp_path / "login-error-ja.png"), full_page=True)
