"""In a real browser, in Japanese: an operator creates an event for two people, three members
apply, the third waits; one cancels and the third is promoted and notified."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_scopes import scopes_disabled
from playwright.sync_api import Browser, Page, expect

from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.events.models import Event, Registration
from tsunagu.tenancy.models import Membership, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser: Browser, live_server: Any) -> Callable[[Membership], Page]:
    """A browser page logged in as the member (the session cookie of a real login)."""

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


def test_capacity_two_third_applicant_waits_and_is_promoted_when_one_cancels(
    open_as: Callable[[Membership], Page], tmp_path: Path
) -> None:
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    operator = make_member(network, make_user(name="佐藤 美咲"), role=Role.OPERATOR)
    first, second, third = (
        make_member(network, make_user(name=name))
        for name in ("田中 花子", "鈴木 一郎", "高橋 健太")
    )

    # The operator creates the event, in Japanese, from the events page.
    page = open_as(operator)
    page.goto("/n/mitsuba/events/")
    expect(page.locator(".subnav")).to_contain_text("イベント")
    page.get_by_role("link", name="新しいイベント").click()
    page.get_by_label("タイトル").fill("朝活 自己紹介リレー")
    page.get_by_label("開始日時").fill("2030-05-01T08:00")
    page.get_by_label("終了日時").fill("2030-05-01T09:00")
    page.get_by_label("会場", exact=True).fill("渋谷オフィス 12階")
    page.get_by_label("定員").fill("2")
    page.get_by_role("button", name="イベントを作成").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("朝活 自己紹介リレー")
    expect(page.locator(".messages")).to_contain_text("イベントを作成しました")
    page.screenshot(path=str(tmp_path / "1-event-created.png"), full_page=True)
    with scopes_disabled():
        event = Event.objects.get()
    assert event.capacity == 2
    event_url = f"/n/mitsuba/events/{event.pk}/"

    # Three members apply; the third finds the event full and joins the waiting list.
    pages = {}
    for member, button, message in (
        (first, "参加する", "参加が確定しました"),
        (second, "参加する", "参加が確定しました"),
        (third, "キャンセル待ちに登録する", "キャンセル待ちに登録しました"),
    ):
        p = pages[member.pk] = open_as(member)
        p.goto(event_url)
        p.get_by_role("button", name=button).click()
        expect(p.locator(".messages")).to_contain_text(message)
    waiting = pages[third.pk]
    expect(waiting.locator(".event__apply")).to_contain_text("キャンセル待ち")
    waiting.screenshot(path=str(tmp_path / "2-waitlisted.png"), full_page=True)

    # The first cancels: the third moves up and is told so.
    p = pages[first.pk]
    p.goto(event_url)
    p.get_by_role("button", name="申し込みをキャンセルする").click()
    expect(p.locator(".messages")).to_contain_text("申し込みをキャンセルしました")

    waiting.goto(event_url)
    expect(waiting.locator(".event__apply")).to_contain_text("参加確定")
    # Told of the new event when it was created, then of the place.
    expect(waiting.locator("[data-unread-count]")).to_have_text("2")
    waiting.goto("/n/mitsuba/notifications/")
    expect(waiting.locator(".notification").first).to_contain_text(
        "「朝活 自己紹介リレー」への参加が確定しました。"
    )
    waiting.screenshot(path=str(tmp_path / "3-promoted.png"), full_page=True)
    with scopes_disabled():
        statuses = dict(Registration.objects.values_list("user_id", "status"))
    assert statuses == {
        first.user_id: "cancelled",
        second.user_id: "confirmed",
        third.user_id: "confirmed",
    }
