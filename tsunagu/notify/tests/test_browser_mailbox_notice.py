"""The notice that mail no longer reaches a member, in a real browser, in Japanese, on a phone:
it fits the screen, "later" works from the keyboard, and the link leads to the address page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Page, expect

from tsunagu.accounts.delivery import note_refusal
from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    cache.clear()
    context = browser.new_context(
        locale="ja-JP", base_url=live_server.url, viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def japanese(text: str) -> str:
    with translation.override("ja"):
        return gettext(text)


def log_in(page: Page, address: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", address)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_member_whose_mail_bounces_is_asked_then_says_later_with_the_keyboard(
    page: Page,
) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    make_member(network, make_user(email="hanako@example.jp", name="田中 花子"))
    log_in(page, "hanako@example.jp")
    page.goto("/n/mitsuba/")
    expect(page.locator("[data-mailbox-notice]")).to_have_count(0)

    note_refusal("hanako@example.jp", "550 5.1.1 User unknown")  # the provider's bounce
    page.goto("/n/mitsuba/events/")
    notice = page.get_by_role("region", name=japanese("Your e-mail does not reach you"))
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("hanako@example.jp")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    change = notice.get_by_role("link", name=japanese("Change your e-mail address"))
    expect(change).to_have_attribute("href", "/accounts/email/")

    later = notice.get_by_role("button", name=japanese("Later"))
    later.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/n/mitsuba/events/")
    expect(page.locator("[data-mailbox-notice]")).to_have_count(0)
    page.goto("/n/mitsuba/")
    expect(page.locator("[data-mailbox-notice]")).to_have_count(0)

    # The next session asks again; the link leads to the page where the address is changed.
    page.context.clear_cookies()
    log_in(page, "hanako@example.jp")
    page.goto("/n/mitsuba/")
    page.get_by_role("link", name=japanese("Change your e-mail address")).click()
    page.wait_for_url("**/accounts/email/")
    expect(page.locator("input[type=email][name=email]")).to_be_visible()
