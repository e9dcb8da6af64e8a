"""In a real browser, in Japanese: an operator opens the year's ranking, gives the 最多活動賞 to a
member, finds it on that member's profile, records an outcome in the ledger, and prints the
quarter's report on one A4 page."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tsunagu.boards import actions as boards
from tsunagu.boards.tests.helpers import make_thread
from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user
from tsunagu.tenancy.days import network_day
from tsunagu.tenancy.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(browser: Browser, base_url: str, email: str, width: int = 1200) -> Page:
    context = browser.new_context(
        locale="ja-JP", base_url=base_url, viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()
    return page


def test_an_operator_gives_the_most_active_award_and_records_an_outcome(
    browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    operator = make_member(
        network, make_user(email="operator@example.jp", name="佐藤 美咲"), role=Role.OPERATOR
    )
    hanako = make_member(network, make_user(email="hanako@example.jp", name="田中 花子"))
    kenta = make_member(
        network, make_user(email="kenta@example.jp", name="高橋 健太"), role=Role.SUPPORTER
    )
    with scope(network=network):
        thread = make_thread(operator, title="今年の交流会の振り返り")
        for body in ("とても楽しかったです", "来年は幹事をやります", "写真を共有します"):
            boards.do_add_comment(hanako, thread, body=body)
        boards.do_add_comment(kenta, thread, body="お疲れさまでした")
    year = network_day(timezone.now()).year

    page = log_in(browser, live_server.url, "operator@example.jp")
    page.goto("/n/mitsuba/")
    with page.expect_navigation():
        page.get_by_role("navigation", name="ネットワーク").get_by_role(
            "link", name="サポーター"
        ).click()
    with page.expect_navigation():
        page.get_by_role("link", name="ランキングと表彰").click()
    page.get_by_label("期間", exact=True).select_option(label="年")
    with page.expect_navigation():
        page.get_by_role("button", name="表示").click()
    expect(page.get_by_role("heading", name=f"ランキング：{year}年")).to_be_visible()
    rows = page.locator("table.ranking tbody tr")
    expect(rows.first).to_contain_text("田中 花子")  # three comments: first place
    page.screenshot(path=str(tmp_path / "1-ranking.png"), full_page=True)

    award = page.locator("form.award-form", has_text="最多活動賞")
    award.get_by_label("メンバー").select_option(label="1. 田中 花子")
    award.get_by_label("授与の理由（任意）").fill("交流会の振り返りを盛り上げてくれました")
    with page.expect_navigation():
        award.get_by_role("button", name="最多活動賞を贈る").click()
    expect(page.get_by_text(f"{year}年の最多活動賞を田中 花子さんに贈りました。")).to_be_visible()
    expect(page.locator("form.award-form", has_text="最多活動賞")).to_have_count(0)

    with page.expect_navigation():
        page.locator(".awards").get_by_role("link", name="田中 花子").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("田中 花子")
    expect(page.locator(".awards-badges")).to_contain_text(f"{year}年最多活動賞")
    page.screenshot(path=str(tmp_path / "2-profile-badge.png"), full_page=True)

    with page.expect_navigation():
        page.get_by_role("navigation", name="ネットワーク").get_by_role("link", name="管理").click()
    with page.expect_navigation():
        page.get_by_role("link", name="成果台帳").click()
    expect(page.get_by_role("heading", name="成果を記録する")).to_be_visible()
    page.get_by_label("種類").select_option(label="カムバック採用")
    page.get_by_label("日付").fill(network_day(timezone.now()).isoformat())
    page.get_by_label("金額（円）", exact=True).fill("5000000")
    page.get_by_label("関わったメンバー（任意）").fill("田中 花子")
    page.get_by_label("メモ", exact=True).fill("マーケティング部に再入社")
    with page.expect_navigation():
        page.get_by_role("button", name="記録する").click()
    expect(page.get_by_text("成果を記録しました。")).to_be_visible()
    row = page.locator("table.ledger tbody tr").first
    expect(row).to_contain_text("カムバック採用")
    expect(row).to_contain_text("5,000,000円")
    expect(row).to_contain_text("田中 花子")
    page.screenshot(path=str(tmp_path / "3-ledger.png"), full_page=True)

    # The quarter's report for the management meeting: two voices, then one A4 page.
    with page.expect_navigation():
        page.get_by_role("link", name="経営会議向けの四半期レポート").click()
    expect(page.locator("[data-outcomes]")).to_have_text("1")
    expect(page.locator("[data-report]")).to_contain_text("カムバック採用")
    expect(page.locator("[data-report]")).not_to_contain_text(
        "田中 花子"
    )  # names stay in the ledger
    page.get_by_label("1つ目の声").fill("辞めた後も古巣とつながれるのが心強いです")
    page.get_by_label("紹介の仕方").first.fill("2019年退職・営業部")
    with page.expect_navigation():
        page.get_by_role("button", name="声を保存する").click()
    expect(page.locator("[data-quote]")).to_contain_text("辞めた後も古巣と")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="声を保存する")).to_be_hidden()
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert len(pdf.pages) == 1  # one A4 page, as the meeting's handout
    assert abs(float(pdf.pages[0].mediabox.width) - 595.3) < 1  # A4 portrait, in points
    page.emulate_media(media="screen")

    # A phone-sized screen: the ranking still reads, its table scrolls inside its card.
    phone = log_in(browser, live_server.url, "operator@example.jp", width=390)
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto("/n/mitsuba/supporters/ranking/?period=year")
    expect(phone.locator("table.ranking")).to_contain_text("田中 花子")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
