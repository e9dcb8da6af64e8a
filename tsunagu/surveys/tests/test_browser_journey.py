"""In a real browser, in Japanese, on a phone-sized screen: the office sends a satisfaction
survey to alumni who left between 2019 and 2024, one of them answers on a phone, and the office
sees the chart and downloads the Excel file."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_scopes import scopes_disabled
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.notify.models import Notification
from tsunagu.profiles.actions import profile_of
from tsunagu.surveys.models import Survey
from tsunagu.surveys.tasks import send_survey_invitations
from tsunagu.tenancy.models import Membership, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser: Browser, live_server: Any) -> Callable[[Membership], Page]:
    """A browser page at 390 × 844 logged in as the member (the session cookie of a login)."""

    def open_page(member: Membership) -> Page:
        client = Client()
        client.force_login(member.user)
        context = browser.new_context(
            locale="ja-JP",
            base_url=live_server.url,
            viewport={"width": 390, "height": 844},
            accept_downloads=True,
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


def leaver(network, name: str, year: int) -> Membership:
    member = make_member(network, make_user(name=name), role=Role.ALUMNI)
    with scopes_disabled():
        profile = profile_of(member)
        profile.left_on = datetime.date(year, 3, 31)
        profile.last_department = "営業部"
        profile.save()
    return member


def test_the_office_surveys_recent_leavers_one_answers_on_a_phone_the_office_downloads_excel(
    open_as: Callable[[Membership], Page], tmp_path: Path
) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    operator = make_member(network, make_user(name="佐藤 美咲"), role=Role.OPERATOR)
    hanako = leaver(network, "田中 花子", 2021)
    earlier = leaver(network, "鈴木 一郎", 2015)

    # The office writes the survey.
    office = open_as(operator)
    office.goto("/n/mitsuba/surveys/")
    expect(office.locator(".subnav")).to_contain_text("アンケート")
    office.get_by_role("link", name="新しいアンケート").click()
    office.get_by_label("タイトル").fill("2025年度 アルムナイ満足度アンケート")
    office.get_by_label("説明文").fill("今後の企画の参考にさせてください。")
    office.get_by_label("対象者").select_option("segment")
    office.get_by_label("退職年（から）").fill("2019")
    office.get_by_label("退職年（まで）").fill("2024")
    office.get_by_role("button", name="アンケートを作成").click()
    expect(office.locator(".messages")).to_contain_text("アンケートを作成しました")
    expect(office.locator("body")).to_contain_text("現在の対象者は1人です")
    office.get_by_role("textbox", name="質問", exact=True).fill("アルムナイ活動への満足度は?")
    office.get_by_role("combobox", name="種類").select_option("single")
    office.get_by_label("選択肢").fill("満足\nやや満足\nやや不満\n不満")
    office.get_by_label("回答必須").check()
    office.get_by_role("button", name="質問を追加する").click()
    expect(office.locator(".messages")).to_contain_text("質問を追加しました")
    office.get_by_role("textbox", name="質問", exact=True).fill("ご意見・ご要望")
    office.get_by_role("combobox", name="種類").select_option("long")
    office.get_by_role("button", name="質問を追加する").click()
    office.get_by_role("button", name="公開する").click()
    expect(office.locator(".messages")).to_contain_text("アンケートを公開しました")
    office.screenshot(path=str(tmp_path / "1-published.png"), full_page=True)

    # Celery beat invites those who are asked, and only them.
    send_survey_invitations()
    with scopes_disabled():
        notes = Notification.objects.filter(kind="survey_invitation")
        invited = set(notes.values_list("recipient_id", flat=True))
        survey = Survey.objects.get()
    assert invited == {hanako.user_id} and earlier.user_id not in invited

    # 花子 answers on her phone, from the keyboard alone, through the named group and labels a
    # screen reader announces.
    phone = open_as(hanako)
    phone.goto("/n/mitsuba/notifications/")
    title = "2025年度 アルムナイ満足度アンケート"
    phone.get_by_text(title).first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(title)
    group = phone.get_by_role("group", name="アルムナイ活動への満足度は?")
    group.get_by_label("満足", exact=True).focus()
    phone.keyboard.press("ArrowDown")
    expect(group.get_by_label("やや満足")).to_be_checked()
    phone.keyboard.press("Tab")
    comment = phone.get_by_label("ご意見・ご要望")
    expect(comment).to_be_focused()
    phone.keyboard.type("オンラインの勉強会を増やしてほしいです。")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"
    phone.screenshot(path=str(tmp_path / "2-answering.png"), full_page=True)
    phone.keyboard.press("Tab")
    expect(phone.get_by_role("button", name="回答を送信する")).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.locator(".messages")).to_contain_text("ご回答ありがとうございました")

    # The office sees the chart and downloads the Excel file.
    office.goto(f"/n/mitsuba/surveys/{survey.pk}/results/")
    expect(office.locator(".chart__image").first).to_be_visible()
    expect(office.locator("body")).to_contain_text("回答1件")
    expect(office.locator("body")).to_contain_text("オンラインの勉強会を増やしてほしいです。")
    office.screenshot(path=str(tmp_path / "3-results.png"), full_page=True)
    with office.expect_download() as download_info:
        office.get_by_role("link", name="Excelでダウンロード").click()
    path = tmp_path / "answers.xlsx"
    download_info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "名前" and "アルムナイ活動への満足度は?" in rows[0]
    assert rows[1][0] == "田中 花子" and "やや満足" in rows[1]


def test_an_anonymous_answer_is_changed_on_another_device_through_the_link(
    open_as: Callable[[Membership], Page],
) -> None:
    from tsunagu.surveys.models import Kind, Pending
    from tsunagu.surveys.tests.helpers import add_question, make_survey

    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    hanako = leaver(network, "田中 花子", 2021)
    survey = make_survey(network, anonymity="anonymous", title="匿名の職場アンケート")
    add_question(survey, "ご意見・ご要望", Kind.LONG)
    url = f"/n/mitsuba/surveys/{survey.pk}/"

    phone = open_as(hanako)
    phone.goto(url)
    phone.get_by_label("ご意見・ご要望").fill("スマホからの意見")
    phone.get_by_role("button", name="回答を送信する").click()
    expect(phone.locator(".messages")).to_contain_text("ご回答ありがとうございました")
    link = phone.locator("#edit-link").input_value()
    assert link.startswith("http") and "#" in link
    # Back on the phone (the cookie): the answer, to change.
    phone.goto(url)
    expect(phone.get_by_label("ご意見・ご要望")).to_have_value("スマホからの意見")

    # On her laptop, without the cookie: answered, nothing to change, until she opens the link.
    laptop = open_as(hanako)
    laptop.goto(url)
    expect(laptop.locator("form.survey-form")).to_have_count(0)
    laptop.goto(link)
    expect(laptop).to_have_url(f"{link.split('/n/')[0]}{url}")
    comment = laptop.get_by_label("ご意見・ご要望")
    expect(comment).to_have_value("スマホからの意見")
    comment.fill("パソコンで書き直した意見")
    laptop.get_by_role("button", name="回答を更新する").click()
    expect(laptop.locator(".messages")).to_be_visible()
    with scopes_disabled():
        [entry] = Pending.objects.filter(survey=survey)
    assert "パソコンで書き直した意見" in str(entry.payload)
