"""The home feed in a real browser, in Japanese: a consultation reaches the member who can answer
it, is answered, marked helpful and shows as answered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from tsunagu.boards.models import Thread
from tsunagu.boards.tests.helpers import make_category
from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user
from tsunagu.profiles.models import Profile, Tag
from tsunagu.profiles.normalize import normalize
from tsunagu.tenancy.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "IT導入補助金の申請で困っています"


def log_in(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_consultation_reaches_the_member_whose_skill_matches_and_is_answered(
    page: Page, tmp_path: Path
) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    make_category(network, "仕事の相談")
    make_member(network, make_user(email="asker@example.jp", name="田中 花子"), role=Role.ALUMNI)
    expert = make_member(
        network, make_user(email="expert@example.jp", name="鈴木 一郎"), role=Role.ALUMNI
    )
    make_member(network, make_user(email="other@example.jp", name="山本 翔太"), role=Role.ALUMNI)
    with scopes_disabled():
        tag = Tag.objects.create(
            network=network, kind="skill", name="補助金", normalized=normalize("補助金")
        )
        Profile.objects.get(membership=expert).tags.add(tag)

    # The asker asks from the home feed.
    log_in(page, "asker@example.jp")
    page.goto("/n/mitsuba/")
    page.locator("#feed").get_by_role("link", name="相談する").click()
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=body]", "従業員20名です。**補助金**の申請の流れを知りたいです。")
    page.get_by_role("button", name="投稿する").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)

    # The member with the matching skill sees it first thing on the home feed, marked for them.
    log_in(page, "expert@example.jp")
    page.goto("/n/mitsuba/")
    waiting = page.locator("#feed-waiting")
    expect(waiting).to_contain_text(TITLE)
    expect(waiting).to_contain_text("スキル・関心に一致：補助金")
    expect(page.locator("#feed-items")).to_contain_text(TITLE)
    page.screenshot(path=str(tmp_path / "home-feed-ja.png"), full_page=True)
    waiting.get_by_role("link", name=re.compile(TITLE)).click()
    page.fill("textarea[name=body]", "昨年申請しました。まずgBizIDプライムの取得からです。")
    page.get_by_role("button", name="投稿する").click()
    expect(page.get_by_text("コメントを投稿しました。")).to_be_visible()

    # The asker opens it from the feed and marks the answer as the most helpful.
    log_in(page, "asker@example.jp")
    page.goto("/n/mitsuba/")
    page.locator("#feed-items").get_by_role("link", name=re.compile(TITLE)).click()
    page.get_by_role("button", name="ベストアンサーに選ぶ").click()
    expect(page.get_by_text("この相談は解決済みになりました。")).to_be_visible()

    # Everyone's feed shows it answered, and it no longer waits for an answer.
    log_in(page, "other@example.jp")
    page.goto("/n/mitsuba/")
    item = page.locator("#feed-items li", has_text=TITLE)
    expect(item.locator(".chip--answered")).to_have_text("解決済み")
    expect(page.locator("#feed-waiting")).to_have_count(0)


def test_scrolling_to_the_end_of_the_feed_loads_the_next_items(page: Page) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    category = make_category(network, "雑談")
    reader = make_member(network, make_user(email="reader@example.jp", name="田中 花子"))
    with scopes_disabled():
        Thread.objects.bulk_create(
            Thread(
                network=network, category=category, author=reader, title=f"話題その{i}", body="本文"
            )
            for i in range(30)
        )
    log_in(page, "reader@example.jp")
    page.goto("/n/mitsuba/")
    items = page.locator("#feed-items .feed-item")
    expect(items).to_have_count(20)
    page.locator(".feed-more").scroll_into_view_if_needed()
    expect(items).to_have_count(31)  # 30 threads and the reader's own arrival
    expect(page.get_by_text("これ以上はありません。")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/n/mitsuba/$"))  # swapped in place, no navigation
