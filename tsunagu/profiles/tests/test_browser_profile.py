"""In a real browser, in Japanese: edit my profile with a career entry and a skill, hide a field,
then find myself in the directory as another member, who does not see the hidden field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(browser: Browser, base_url: str, email: str) -> Page:
    context = browser.new_context(
        locale="ja-JP", base_url=base_url, viewport={"width": 1200, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()
    return page


def test_a_member_edits_their_profile_and_another_finds_it_without_the_hidden_field(
    browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    make_member(network, make_user(email="hanako@example.jp", name="田中 花子"))
    make_member(network, make_user(email="taro@example.jp", name="山本 太郎"))

    # 花子 fills in her profile: where she works now, a career entry, a skill, and her location,
    # which she keeps to herself.
    me = log_in(browser, live_server.url, "hanako@example.jp")
    me.goto("/n/mitsuba/profile/edit/")
    expect(me.get_by_role("heading", level=1)).to_have_text("プロフィールを編集")
    me.get_by_label("現在の勤務先", exact=True).fill("株式会社みらいテック")
    me.get_by_label("現在の職種・役職", exact=True).fill("人事マネージャー")
    me.get_by_label("スキル・資格", exact=True).fill("採用、労務管理")
    me.get_by_label("所在地", exact=True).fill("福岡県糸島市")
    me.select_option("select[name=show_location]", label="自分のみ")
    me.fill("input[name=career-0-department]", "人事部")
    me.fill("input[name=career-0-title]", "課長")
    me.fill("input[name=career-0-started_on]", "2012-04-01")
    me.screenshot(path=str(tmp_path / "1-edit-profile.png"), full_page=True)
    with me.expect_navigation():
        me.get_by_role("button", name="保存").click()
    expect(me.get_by_text("プロフィールを保存しました。")).to_be_visible()
    expect(me.locator(".profile")).to_contain_text("福岡県糸島市")  # she sees it herself
    expect(me.locator(".career")).to_contain_text("人事部")

    # 太郎 searches the directory as he types, in Japanese, and finds her.
    other = log_in(browser, live_server.url, "taro@example.jp")
    other.goto("/n/mitsuba/members/")
    expect(other.get_by_role("heading", level=1)).to_have_text("名簿")
    other.locator("#q").press_sequentially("みらい", delay=50)
    card = other.locator(".member-card", has_text="田中 花子")
    expect(card).to_have_count(1)
    expect(other.locator(".member-card")).to_have_count(1)  # 太郎 himself does not match
    expect(card).to_contain_text("株式会社みらいテック")
    expect(card).to_contain_text("採用")
    # The whole word is in the address, to share; waiting for it also lets the last of the
    # searches sent while typing land, so that the card clicked is not swapped under the mouse.
    expect(other).to_have_url(re.compile(r"q=%E3%81%BF%E3%82%89%E3%81%84"))
    expect(other.locator(".htmx-request")).to_have_count(0)
    other.screenshot(path=str(tmp_path / "2-directory-search.png"), full_page=True)
    # Leaving the search box for the card sends no second search: its answer would push an
    # address of its own and cancel the visit to her page.
    searches: list[str] = []
    other.on(
        "request",
        lambda request: (
            searches.append(request.url)
            if "?" in request.url and "/members/" in request.url
            else None
        ),
    )
    card.get_by_role("link", name="田中 花子").click()
    other.wait_for_url(re.compile(r"/n/mitsuba/members/\d+/$"))
    assert searches == []
    profile = other.locator(".profile")
    expect(profile).to_contain_text("人事マネージャー")
    expect(profile).to_contain_text("人事部")
    expect(profile).to_contain_text("労務管理")
    expect(profile).not_to_contain_text("糸島")  # the hidden field is not there
    assert "糸島" not in other.content()
    other.screenshot(path=str(tmp_path / "3-profile-as-member.png"), full_page=True)

    # A filter changed on the directory searches at once, without the button.
    other.go_back()
    other.get_by_role("combobox", name="表示").select_option("table")
    expect(other).to_have_url(re.compile(r"view=table"))
    expect(other.locator("#results table")).to_contain_text("田中 花子")
