"""In a real browser, in Japanese, on a phone: an operator opens the dashboard from the console on
the demo data, reads the "office writes most posts" warning, tries a period that does not exist,
gives a supporter award from the year's ranking, prints the quarter's report on one A4 page, then
raises the threshold and sees the warning go."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django_scopes import scopes_disabled
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from tsunagu.tenancy.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_reads_the_office_warning_gives_an_award_and_prints_the_report(
    browser: Browser, live_server: Any, tmp_path: Path, csp_violations: list[str]
) -> None:
    call_command("seed_demo", members=20)
    with scopes_disabled():
        operator = Membership.objects.get(
            network__slug="mitsuba", user__email="operator@example.com"
        )
    client = Client()
    client.force_login(operator.user)
    context = browser.new_context(
        locale="ja-JP", base_url=live_server.url, viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()

    page.goto("/n/mitsuba/manage/console/")
    page.get_by_role(
        "link", name="ダッシュボードを開く（活動・投稿・イベント・定着率・早期警告）"
    ).click()
    warning = page.locator('[data-warning="office_share"]')
    expect(warning).to_contain_text("投稿のほとんどが運営事務局から")
    expect(warning).to_contain_text("ほかのネットワークで効いたこと")
    expect(page.get_by_role("heading", name="参加後も活動を続けている人")).to_be_visible()
    chart = page.locator("img.chart__image").first
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible()
    # The chart is drawn (an image of the site's own, which its policy allows), not broken.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    chart.screenshot(path=str(tmp_path / "chart-ja.png"))
    page.screenshot(path=str(tmp_path / "dashboard-ja.png"), full_page=True)

    # A month that does not exist: the form says so, in Japanese.
    page.get_by_label("開始月").fill("2026-05")
    page.get_by_label("終了月").fill("2026-02")
    page.get_by_role("button", name="表示").click()
    expect(page.get_by_text("終了月は開始月より前にできません")).to_be_visible()

    # The year's ranking of the demo's members: the first of it gets the 最多活動賞.
    page.goto("/n/mitsuba/supporters/ranking/?period=year")
    award = page.locator("form.award-form", has_text="最多活動賞")
    first = award.get_by_label("メンバー").locator("option").first.inner_text()
    name = first.split(". ", 1)[1]
    award.get_by_label("メンバー").select_option(label=first)
    with page.expect_navigation():
        award.get_by_role("button", name="最多活動賞を贈る").click()
    expect(page.get_by_text(f"の最多活動賞を{name}さんに贈りました。")).to_be_visible()

    # The quarter's report for the management meeting prints on one A4 page.
    page.goto("/n/mitsuba/ledger/report/")
    expect(page.locator("[data-report]")).to_be_visible()
    page.emulate_media(media="print")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert len(pdf.pages) == 1
    assert "四半期" in pdf.pages[0].extract_text()
    page.emulate_media(media="screen")

    # The office decides that up to 90 % is fine for now: the warning goes.
    page.goto("/n/mitsuba/insights/settings/")
    page.get_by_label("事務局の投稿の割合の上限（%）").fill("90")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("ダッシュボードの設定を保存しました。")).to_be_visible()
    page.goto("/n/mitsuba/insights/")
    expect(page.locator('[data-warning-ok="office_share"]')).to_be_visible()
    assert csp_violations == []
