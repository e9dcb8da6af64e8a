"""The notification settings in a real browser, in Japanese, on a phone: the tables fit the
screen, a group's switch sets its rows from the keyboard and shows rows changed by hand, and the
switch still works where JavaScript does not run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django_scopes import scope
from playwright.sync_api import Browser, Page, expect

from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user
from tsunagu.notify.kinds import EMAIL, INAPP
from tsunagu.notify.reads import wants
from tsunagu.tenancy.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
URL = "/n/mitsuba/notifications/preferences/"


def phone(browser: Browser, live_server: Any, **options: Any) -> Page:
    context = browser.new_context(
        locale="ja-JP", base_url=live_server.url, viewport=PHONE, **options
    )
    context.set_default_timeout(15_000)
    return context.new_page()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    cache.clear()
    page = phone(browser, live_server)
    yield page
    page.context.close()


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def checkbox(page: Page, name: str) -> Any:
    return page.locator(f'input[type=checkbox][name="{name}"]')


def test_an_alumna_sets_a_whole_group_from_the_keyboard_on_a_phone(
    page: Page, browser: Browser, live_server: Any
) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    make_member(network, make_user(email="op@example.jp", name="佐藤 美咲"), role=Role.OPERATOR)
    alumna = make_member(network, make_user(email="hanako@example.jp", name="田中 花子"))

    log_in(page, "hanako@example.jp")
    page.goto(URL)
    expect(page.get_by_role("heading", level=2, name="掲示板")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a 390px screen"
    # Operators' kinds are not the alumna's business.
    expect(checkbox(page, "news_pending.email")).to_have_count(0)
    # Every switch is named by its channel and its kind, for screen readers.
    direct = page.get_by_role("checkbox", name=re.compile("新しいダイレクトメッセージ"))
    expect(direct).to_have_count(3)

    # The boards' e-mail column is mixed: comments are not mailed by default.
    switch = checkbox(page, "group.boards.email")
    assert switch.evaluate("el => el.indeterminate") is True
    switch.focus()
    page.keyboard.press("Space")
    for key in ("boards_comment", "boards_mention", "boards_best_answer", "boards_consultation"):
        expect(checkbox(page, f"{key}.email")).to_be_checked()
    assert switch.evaluate("el => el.indeterminate") is False
    # One row turned off by hand shows in the switch.
    checkbox(page, "boards_best_answer.email").focus()
    page.keyboard.press("Space")
    assert switch.evaluate("el => el.indeterminate") is True
    page.locator("form[data-notify-preferences] button[type=submit]").click()
    page.wait_for_url(lambda url: url.endswith(URL))
    expect(checkbox(page, "boards_comment.email")).to_be_checked()
    expect(checkbox(page, "boards_best_answer.email")).not_to_be_checked()
    with scope(network=network):
        assert wants(network, alumna.user_id, "boards_comment", EMAIL)
        assert not wants(network, alumna.user_id, "boards_best_answer", EMAIL)
        assert wants(network, alumna.user_id, "talk_direct", EMAIL)  # untouched

    # Where JavaScript does not run, the switch turns its group off when the form is saved.
    plain = phone(browser, live_server, java_script_enabled=False)
    log_in(plain, "hanako@example.jp")
    plain.goto(URL)
    checkbox(plain, "group.talk.inapp").focus()
    plain.keyboard.press("Space")
    expect(checkbox(plain, "talk_direct.inapp")).to_be_checked()  # nothing moves on the page
    plain.locator("form[data-notify-preferences] button[type=submit]").click()
    plain.wait_for_url(lambda url: url.endswith(URL))
    expect(checkbox(plain, "talk_direct.inapp")).not_to_be_checked()
    expect(checkbox(plain, "talk_mention.inapp")).not_to_be_checked()
    expect(checkbox(plain, "talk_direct.email")).to_be_checked()
    plain.context.close()
    with scope(network=network):
        assert not wants(network, alumna.user_id, "talk_mention", INAPP)
        assert wants(network, alumna.user_id, "event_new", INAPP)
