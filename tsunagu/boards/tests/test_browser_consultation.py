"""A consultation in a real browser, in Japanese: asked, answered, marked helpful, answered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tsunagu.boards.tests.helpers import make_category
from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user
from tsunagu.tenancy.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "IT導入補助金の申請方法を教えてください"


def log_in(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_consultation_is_asked_answered_and_marked_helpful(page: Page, tmp_path: Path) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    make_category(network, "仕事の相談")
    make_member(network, make_user(email="asker@example.jp", name="田中 花子"), role=Role.ALUMNI)
    make_member(network, make_user(email="expert@example.jp", name="鈴木 一郎"), role=Role.EMPLOYEE)

    # The asker opens the boards from the menu and asks.
    log_in(page, "asker@example.jp")
    page.goto("/n/mitsuba/")
    page.locator(".subnav").get_by_role("link", name="掲示板").click()
    page.get_by_role("link", name="相談する").click()
    expect(page.locator("select[name=kind]")).to_have_value("consultation")
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=body]", "従業員20名の会社です。**申請の流れ**を知りたいです。")
    page.get_by_role("button", name="投稿する").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.locator("h1 .chip")).to_have_text("相談")
    expect(page.locator(".prose strong")).to_have_text("申請の流れ")

    # A colleague finds it among the unanswered consultations and answers.
    log_in(page, "expert@example.jp")
    page.goto("/n/mitsuba/boards/")
    page.get_by_role("link", name="回答待ちの相談").click()
    page.get_by_role("link", name=re.compile(TITLE)).click()
    page.fill("textarea[name=body]", "昨年申請しました。まずgBizIDの取得から始めてください。")
    page.get_by_role("button", name="投稿する").click()
    expect(page.get_by_text("コメントを投稿しました。")).to_be_visible()
    expect(page.locator("#c1")).to_contain_text("gBizID")

    # The asker is notified, opens the answer and marks it as the most helpful.
    log_in(page, "asker@example.jp")
    page.goto("/n/mitsuba/notifications/")
    page.get_by_role("button", name=re.compile("鈴木 一郎さんが")).click()
    expect(page.locator("#c1")).to_be_visible()
    page.get_by_role("button", name="ベストアンサーに選ぶ").click()
    expect(page.get_by_text("この相談は解決済みになりました。")).to_be_visible()
    expect(page.locator("h1 .chip")).to_have_text("解決済み")
    expect(page.locator("#c1")).to_contain_text("ベストアンサー")
    # A stamp of thanks, swapped in place by HTMX.
    thanks = page.locator("#c1 .stamps button[value=thanks]")
    thanks.click()
    expect(page.locator("#c1 .stamps button[value=thanks]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#c1 .stamps button[value=thanks]")).to_contain_text("1")
    page.screenshot(path=str(tmp_path / "consultation-answered-ja.png"), full_page=True)

    page.goto("/n/mitsuba/boards/consultations/unanswered/")
    expect(page.get_by_text(TITLE)).to_have_count(0)
