"""The announcement journey in a real browser, in Japanese, at phone size: an operator writes,
sees how many members the audience reaches as they choose it (with the keyboard), previews the
mail as a member, sends a test to themselves, then sends; the mails arrive at a real mail
server, to the audience only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, Page, expect

from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user
from tsunagu.core.testing.mail import site_mail_server
from tsunagu.tenancy.models import Role

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


def test_an_operator_writes_previews_tests_and_sends_an_announcement(
    page: Page, live_server: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    make_member(network, make_user(email="office@example.jp", name="佐藤 美咲"), role=Role.OPERATOR)
    make_member(network, make_user(email="hanako@example.jp", name="田中 花子"))
    make_member(network, make_user(email="kenta@example.jp", name="高橋 健太"), role=Role.SUPPORTER)
    make_member(network, make_user(email="ichiro@example.jp", name="鈴木 一郎"), role=Role.EMPLOYEE)

    with site_mail_server(settings) as server:
        server.start()
        page.goto("/accounts/login/")
        page.fill("input[name=login]", "office@example.jp")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

        # From the operators' console to the composer.
        page.goto("/n/mitsuba/manage/console/")
        page.locator("nav.subnav a[href='/n/mitsuba/manage/announcements/']").click()
        page.locator("a[href='/n/mitsuba/manage/announcements/new/']").click()
        page.fill("#id_subject", "秋の総会のご案内")
        page.fill("#id_body", "11月15日（土）14時から本社で総会を開きます。\n\nぜひ、ご参加を。")
        count = page.locator("#audience-count")
        expect(count).to_have_attribute("data-count", "4")
        # The audience with the keyboard: from "everyone" to "alumni" with the arrow key.
        page.locator("input[name=audience][value=all]").focus()
        page.keyboard.press("ArrowDown")
        expect(page.locator("input[name=audience][value=alumni]")).to_be_checked()
        expect(count).to_have_attribute("data-count", "2")  # the alumna and the supporter
        page.locator("form.form button[type=submit]").click()

        # The draft: its audience, the preview as a member.
        expect(page.locator("h1")).to_have_text("秋の総会のご案内")
        expect(page.locator("#audience-count")).to_have_attribute("data-count", "2")
        page.locator("a[href$='/preview/']").click()
        page.fill("#announce-q", "田中")
        page.keyboard.press("Enter")
        page.locator("[data-found] a").first.click()
        preview = page.locator("[data-preview]")
        expect(preview.locator("[data-subject]")).to_have_text("秋の総会のご案内")
        expect(preview).to_contain_text("田中 花子さん、こんにちは。")
        expect(preview).to_contain_text("11月15日（土）14時から本社で総会を開きます。")
        page.locator("a[data-back]").click()

        # A test to myself, then the send.
        page.locator("button[data-action=test]").click()
        expect(page.locator(".message--success")).to_contain_text("office@example.jp")
        assert list(server.delivered()) == ["office@example.jp"]
        page.locator("button[data-action=send]").click()
        expect(page.locator("#announce-status")).to_have_attribute("data-state", "done")
        expect(page.locator("[data-count=recipients]")).to_have_text("2")
        expect(page.locator("[data-count=sent]")).to_have_text("2")
        expect(page.locator("[data-count=skipped]")).to_have_text("0")

        delivered = server.delivered()
    assert delivered == {"office@example.jp": 1, "hanako@example.jp": 1, "kenta@example.jp": 1}
    subjects = {to[0]: str(message["Subject"]) for to, message in server.received}
    assert subjects["hanako@example.jp"] == "秋の総会のご案内"
    assert subjects["office@example.jp"] == "【テスト】秋の総会のご案内"

    # The list shows the send.
    page.goto("/n/mitsuba/manage/announcements/")
    expect(page.locator("tbody tr").first).to_contain_text("秋の総会のご案内")
