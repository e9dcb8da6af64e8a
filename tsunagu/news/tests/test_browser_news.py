"""News and columns in a real browser, in Japanese: a member's column is approved, found with
the search box, read with its cover, stamped and commented on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user
from tsunagu.core.tests.test_images import image_bytes
from tsunagu.tenancy.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "退職して3年、三ツ葉で学んだ段取り力"


def log_in(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_members_column_is_approved_found_read_stamped_and_commented(
    page: Page, tmp_path: Path
) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    make_member(network, make_user(email="op@example.jp", name="佐藤 美咲"), role=Role.OPERATOR)
    make_member(network, make_user(email="writer@example.jp", name="田中 花子"))
    make_member(network, make_user(email="reader@example.jp", name="鈴木 一郎"))
    cover = tmp_path / "表紙.png"
    cover.write_bytes(image_bytes(size=(320, 120)))

    # A member writes a column with a cover and tags, from the news page.
    log_in(page, "writer@example.jp")
    page.goto("/n/mitsuba/")
    page.locator(".subnav").get_by_role("link", name="ニュース").click()
    page.get_by_role("link", name="記事を書く").click()
    expect(page.locator("select[name=kind] option")).to_have_text(
        ["コラム", "イベントレポート", "ライフストーリー"]
    )
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=body]", "> 準備八割、本番二割\n\n先輩の**口癖**です。")
    page.fill("input[name=tags]", "キャリア、段取り")
    page.set_input_files("input[name=cover]", str(cover))
    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_text("運営事務局が承認すると記事が公開されます。")).to_be_visible()
    expect(page.get_by_text("この記事は運営事務局の承認待ちです。")).to_be_visible()

    # The operator approves it from the queue.
    log_in(page, "op@example.jp")
    page.goto("/n/mitsuba/news/manage/")
    row = page.locator("#approval-queue li", has_text=TITLE)
    row.get_by_role("button", name="承認する", exact=True).click()
    expect(page.get_by_text("記事を承認しました。")).to_be_visible()
    expect(page.locator("#approval-queue")).to_contain_text("承認待ちの記事はありません。")

    # A colleague finds it with the search box of the menu and reads it.
    log_in(page, "reader@example.jp")
    page.goto("/n/mitsuba/")
    search = page.get_by_role("searchbox", name="このネットワーク内を検索")
    search.fill("段取")  # two kanji
    search.press("Enter")
    page.locator("#results-articles ~ ul").get_by_role("link", name=re.compile(TITLE)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".prose blockquote")).to_contain_text("準備八割")
    expect(page.locator(".prose strong")).to_have_text("口癖")
    expect(page.locator(".tags")).to_contain_text("#キャリア")
    cover_image = page.locator("img.article__cover")
    expect(cover_image).to_be_visible()
    assert cover_image.evaluate("img => img.naturalWidth") == 320

    # A stamp, swapped in place, and a comment.
    page.locator(".stamps button[value=clap]").click()
    expect(page.locator(".stamps button[value=clap]")).to_have_attribute("aria-pressed", "true")
    page.fill("textarea[name=body]", "とても共感しました！")
    page.get_by_role("button", name="投稿する").click()
    expect(page.get_by_text("コメントを投稿しました。")).to_be_visible()
    expect(page.locator(".comment-list")).to_contain_text("とても共感しました！")
    page.screenshot(path=str(tmp_path / "news-article-ja.png"), full_page=True)
