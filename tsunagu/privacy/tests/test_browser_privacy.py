"""Privacy self-service in a real browser, in Japanese, on a phone-sized screen: a member is
stopped by the network's new privacy policy, reads and accepts it, downloads their data from the
mailed link, then deletes their account; once the grace period is over they can no longer log
in and their name is gone from what they wrote."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Browser, Page, expect

from tsunagu.boards.models import Thread
from tsunagu.boards.tests.helpers import make_thread
from tsunagu.consent.actions import do_record_consent
from tsunagu.consent.models import HowGiven
from tsunagu.consent.tests.helpers import publish
from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user
from tsunagu.privacy.tasks import erase_due_accounts
from tsunagu.tenancy.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    cache.clear()
    context = browser.new_context(
        locale="ja-JP",
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_member_accepts_the_new_policy_downloads_their_data_and_deletes_their_account(
    page: Page, live_server: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    office = make_member(network, make_user(email="office@example.jp", name="運営 太郎"),
                         role=Role.OPERATOR)  # fmt: skip
    member = make_member(network, make_user(email="hanako@example.jp", name="髙橋 花子"))
    with scope(network=network):
        thread = make_thread(
            member, title="転職後の近況報告", body="髙橋です。近況をお知らせします。"
        )
    first = publish(office)
    with scope(network=network):
        do_record_consent(member, first, how=HowGiven.JOIN)
    second = publish(office, purpose="会員の交流と、イベントのご案内のために利用します。")
    with scope(network=network):
        do_record_consent(office, second, how=HowGiven.PAGE)

    # The new version stops her at the network's door until she has read and accepted it.
    log_in(page, "hanako@example.jp")
    page.goto("/n/mitsuba/")
    page.wait_for_url(re.compile(r"/n/mitsuba/policy/"))
    expect(page.locator("[data-gate]")).to_contain_text("プライバシーポリシーが改定されました")
    expect(page.locator("main")).to_contain_text("イベントのご案内のために利用します")
    accept = page.locator("button[data-accept]")
    accept.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/policy/" not in url)
    page.goto("/n/mitsuba/policy/")
    expect(page.locator("[data-history] tbody tr")).to_have_count(2)

    # Her data, by the link mailed to her.
    page.goto("/accounts/privacy/")
    page.get_by_role("button", name="データをダウンロードする").click()
    expect(page.locator("main")).to_contain_text("申請は1日1回まで")  # the next one waits a day
    (message,) = [m for m in mail.outbox if "hanako@example.jp" in m.to]
    link = re.search(r"https?://\S+/accounts/privacy/\S+", message.body)
    assert link is not None, message.body
    with page.expect_download() as download_info:
        page.evaluate("url => { window.location.href = url }", link.group(0))
    archive = zipfile.ZipFile(io.BytesIO(download_info.value.path().read_bytes()))
    everything = "".join(
        archive.read(name).decode("utf-8-sig") for name in archive.namelist()
        if name.endswith((".json", ".csv"))
    )  # fmt: skip
    assert "髙橋 花子" in everything and "転職後の近況報告" in everything
    assert "運営 太郎" not in everything  # others' data stays out

    # Deleting the account: a wrong password first, then hers.
    page.goto("/accounts/privacy/delete/")
    page.get_by_label("パスワード").fill("not-her-password")
    page.get_by_role("button", name="アカウントを削除する").click()
    expect(page.locator("main")).to_contain_text("パスワードが正しくありません")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("「退会したメンバー」", exact=False).check()
    page.get_by_role("button", name="アカウントを削除する").click()
    expect(page.locator("main")).to_contain_text("削除を取り消す")

    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert erase_due_accounts() == 1

    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "hanako@example.jp")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.locator("main")).not_to_contain_text("髙橋")
    assert "/accounts/login/" in page.url

    # What she wrote stays, as a former member's, without her name.
    log_in(page, "office@example.jp")
    page.goto(f"/n/mitsuba/boards/t/{thread.pk}/")
    expect(page.locator("main")).to_contain_text("退会したメンバー")
    expect(page.locator("main")).not_to_contain_text("髙橋 花子")
    with scope(network=network):
        assert Thread.objects.filter(pk=thread.pk).exists()
