"""In a real browser, in Japanese, on a phone (390 × 844): an employee posts a comeback opening,
an alumna answers 「まずは話を聞きたい」, the poster moves her to an interview, and she sees
「面談中」 on her own page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Browser, Page, expect

from tsunagu.careers.models import Application, Opportunity, Status
from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.tenancy.models import Membership, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "カムバック採用：法人営業マネージャー"


@pytest.fixture
def open_as(browser: Browser, live_server: Any) -> Callable[[Membership], Page]:
    """A phone-sized browser page logged in as the member (the session of a real login)."""

    def open_page(member: Membership) -> Page:
        client = Client()
        client.force_login(member.user)
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
        return context.new_page()

    return open_page


def test_a_comeback_opening_an_alumna_interested_moved_to_interview(
    open_as: Callable[[Membership], Page],
) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    make_member(network, make_user(name="佐藤 美咲"), role=Role.OPERATOR)
    employee = make_member(network, make_user(name="鈴木 一郎"), role=Role.EMPLOYEE)
    alumna = make_member(network, make_user(name="田中 花子"), role=Role.ALUMNI)

    # The employee posts a comeback opening from the network's menu.
    page = open_as(employee)
    page.goto("/n/mitsuba/")
    page.locator(".subnav").get_by_role("link", name="求人・案件").click()
    page.get_by_role("link", name="募集を掲載する").click()
    page.get_by_label("種類").select_option(label="カムバック採用")
    page.get_by_label("タイトル").fill(TITLE)
    page.get_by_label("雇用形態").select_option(label="正社員")
    page.get_by_role("textbox", name="詳細", exact=True).fill(
        "三ツ葉の営業に**戻ってきませんか**。まずは気軽にお話ししましょう。"
    )
    page.get_by_label("勤務地").fill("東京都千代田区")
    page.get_by_label("リモートワーク").select_option(label="一部リモート")
    page.get_by_role("textbox", name="報酬", exact=True).fill("年収800万円〜")
    deadline = timezone.localdate() + timedelta(days=30)
    page.locator("input[name=deadline]").fill(deadline.isoformat())
    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_text("募集を公開しました。")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".prose strong")).to_have_text("戻ってきませんか")
    with scopes_disabled():
        opportunity = Opportunity.objects.get(title=TITLE)
    assert opportunity.kind == "comeback"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling

    # The alumna finds it in the list and answers 「まずは話を聞きたい」.
    her = open_as(alumna)
    her.goto("/n/mitsuba/careers/")
    her.get_by_label("キーワード").fill("カムバック")
    her.get_by_role("button", name="検索").click()
    her.locator("#opportunities").get_by_role("link", name=TITLE).click()
    her.get_by_role("button", name="まずは話を聞きたい").click()
    expect(her.get_by_text("ありがとうございます！掲載者から連絡があります。")).to_be_visible()
    expect(her.locator("#my-answers")).to_contain_text(TITLE)
    expect(her.locator("#my-answers .answer-status")).to_have_text("未対応")
    assert her.evaluate("document.documentElement.scrollWidth") <= 390

    # The poster sees her answer and moves her to an interview.
    page.goto(f"/n/mitsuba/careers/{opportunity.pk}/")
    page.get_by_role("link", name="応募1件").click()
    row = page.locator("#answers li", has_text="田中 花子")
    expect(row).to_contain_text("まずは話を聞きたい")
    row.get_by_label("状況を変更").select_option(label="面談中")
    row.get_by_role("button", name="更新").click()
    expect(
        page.locator("#answers li", has_text="田中 花子").locator(".answer-status")
    ).to_have_text("面談中")
    with scopes_disabled():
        assert Application.objects.get().status == Status.INTERVIEW

    # She sees 「面談中」 on her own page.
    her.goto("/n/mitsuba/careers/mine/")
    expect(her.locator("#my-answers .answer-status")).to_have_text("面談中")


def test_an_offer_to_linked_networks_answered_from_the_other_network_and_gone_after_the_end(
    open_as: Callable[[Membership], Page],
) -> None:
    from django_scopes import scope

    from tsunagu.collab.actions import do_revoke_link
    from tsunagu.collab.tests.helpers import link_networks

    mitsuba = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    hidamari = make_network(slug="hidamari", name="ひだまり OB・OG会")
    operator = make_member(mitsuba, make_user(name="佐藤 美咲"), role=Role.OPERATOR)
    employee = make_member(mitsuba, make_user(name="鈴木 一郎"), role=Role.EMPLOYEE)
    other_operator = make_member(hidamari, make_user(name="伊藤 大輔"), role=Role.OPERATOR)
    member = make_member(hidamari, make_user(name="山本 翔太"), role=Role.ALUMNI)
    link = link_networks(operator, other_operator, ("opportunities",))
    title = "業務委託：新規事業の壁打ち相手"

    # The employee offers it to the linked networks too.
    page = open_as(employee)
    page.goto("/n/mitsuba/careers/new/")
    page.get_by_label("種類").select_option(value="outsourcing")
    page.get_by_label("タイトル").fill(title)
    page.get_by_role("textbox", name="詳細", exact=True).fill("月に2回、オンラインで。")
    page.locator("select[name=audience]").select_option(value="linked")
    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    # A member of the linked network finds it, marked with its network, and answers.
    his = open_as(member)
    his.goto("/n/hidamari/careers/")
    row = his.locator("#opportunities li", has_text=title)
    expect(row.locator(".offered-by")).to_contain_text("三ツ葉商事 アルムナイ")
    row.get_by_role("link", name=title).click()
    expect(his.locator("#offered-by")).to_contain_text("三ツ葉商事 アルムナイ")
    his.get_by_role("button", name="まずは話を聞きたい").click()
    expect(his.locator("#my-answers")).to_contain_text(title)

    # The poster sees who answered, and from which network.
    with scopes_disabled():
        opportunity = Opportunity.objects.get(title=title)
    page.goto(f"/n/mitsuba/careers/{opportunity.pk}/answers/")
    answered = page.locator("#answers li", has_text="山本 翔太")
    expect(answered.locator(".answer-network")).to_have_text("ひだまり OB・OG会")

    # The link ends: the offer is gone from the other network's list at once.
    with scope(network=hidamari):
        do_revoke_link(other_operator, link)
    his.goto("/n/hidamari/careers/")
    expect(his.locator("#opportunities")).not_to_contain_text(title)
