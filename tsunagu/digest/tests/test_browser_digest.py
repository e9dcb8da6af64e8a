"""The digest in a real browser, in Japanese, on a phone-sized screen: a member chooses a weekly
digest with the keyboard; later, the unsubscribe link of a digest stops it with one button and
no login."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django_scopes import scope
from playwright.sync_api import Browser, Page, expect

from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user
from tsunagu.digest.mail import unsubscribe_url
from tsunagu.digest.models import Frequency
from tsunagu.digest.prefs import frequency_for

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


def test_a_member_chooses_a_weekly_digest_then_stops_it_from_the_mail(
    page: Page, live_server: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    member = make_member(network, make_user(email="hanako@example.jp", name="田中 花子"))

    page.goto("/accounts/login/")
    page.fill("input[name=login]", "hanako@example.jp")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto("/n/mitsuba/notifications/preferences/")
    digest = page.locator("select[name=digest]")
    expect(digest).to_have_value("monthly")  # an alumna's default
    digest.focus()
    digest.select_option("weekly")
    page.keyboard.press("Tab")
    page.locator("form.stack button[type=submit]").last.click()
    expect(page.locator("select[name=digest]")).to_have_value("weekly")
    with scope(network=network):
        assert frequency_for(member) == Frequency.WEEKLY

    # The link in a digest's footer, opened later in a browser without the session.
    page.context.clear_cookies()
    with scope(network=network):
        link = unsubscribe_url(network, member.user_id)
    page.goto(link)
    with scope(network=network):
        assert frequency_for(member) == Frequency.WEEKLY  # opening the link stops nothing
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_be_visible()
    with scope(network=network):
        assert frequency_for(member) == Frequency.OFF
