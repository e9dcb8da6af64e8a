"""Talk as a chat in real browsers, in Japanese: the typing line goes when the message comes,
the Enter key sends where the network chose so (never while the input method composes), the
room list shows each room's newest message, and the talk count in the header moves live on a
page that is not a talk page."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tsunagu.core.testing.servers import AsgiWorker
from tsunagu.talk.tests.test_browser_talk import open_as
from tsunagu.testing.sites import Site, make_site

pytestmark = [pytest.mark.browser]

COMPOSING_ENTER = """(area) => {
  const event = new KeyboardEvent("keydown", {
    key: "Enter", code: "Enter", isComposing: true, bubbles: true, cancelable: true,
  });
  area.dispatchEvent(event);
  return event.defaultPrevented;
}"""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Site, AsgiWorker]]:
    site = make_site(tmp_path, None, members=3)
    worker = AsgiWorker(site.env)
    worker.start()
    yield site, worker
    worker.kill()


def connected(*pages: Page) -> None:
    for page in pages:
        expect(page.locator("[data-talk-connected]")).to_have_count(1)


def stored(page: Page, text: str) -> object:
    return page.locator(".talk-msg:not(.talk-msg--pending)", has_text=text)


def test_the_typing_line_goes_as_soon_as_the_message_arrives(
    browser: Browser, site: tuple[Site, AsgiWorker]
) -> None:
    data, worker = site
    room = f"/n/{data.slug}/talk/r/{data.room}/"
    hanako_ctx, hanako = open_as(browser, worker, data.sessions[1], room)
    ichiro_ctx, ichiro = open_as(browser, worker, data.sessions[2], room)
    try:
        connected(hanako, ichiro)
        typing = hanako.locator("[data-typing]")
        ichiro.get_by_label("メッセージ").press_sequentially("お疲れさまです")
        expect(typing).to_have_text("鈴木 一郎さんが入力中…")
        shown_at = time.monotonic()
        ichiro.get_by_label("メッセージ").press("Control+Enter")
        expect(stored(hanako, "お疲れさまです")).to_be_visible()
        # The line lasts four seconds after the last key; it must not outlive the message.
        expect(typing).to_be_hidden(timeout=500)
        assert time.monotonic() - shown_at < 3.5
    finally:
        hanako_ctx.close()
        ichiro_ctx.close()


def test_enter_sends_only_where_the_network_chose_it_and_never_while_composing(
    browser: Browser, site: tuple[Site, AsgiWorker]
) -> None:
    data, worker = site
    room = f"/n/{data.slug}/talk/r/{data.room}/"
    hanako_ctx, hanako = open_as(browser, worker, data.sessions[1], room)
    misaki_ctx, misaki = open_as(browser, worker, data.sessions[0], f"/n/{data.slug}/manage/")
    try:
        # Out of the box Enter starts a new line, and Ctrl+Enter sends.
        connected(hanako)
        area = hanako.get_by_label("メッセージ")
        area.fill("おはようございます")
        area.press("Enter")
        expect(area).to_have_value("おはようございます\n")
        area.press("Control+Enter")
        expect(stored(hanako, "おはようございます")).to_be_visible()
        expect(area).to_have_value("")

        # The office chooses Enter to send.
        setting = misaki.locator("input[name=talk_enter_sends]")
        expect(setting).not_to_be_checked()
        setting.check()
        misaki.get_by_role("button", name="保存", exact=True).click()
        expect(misaki.locator("input[name=talk_enter_sends]")).to_be_checked()

        hanako.reload()
        connected(hanako)
        area = hanako.get_by_label("メッセージ")
        area.fill("こんにちは")
        area.press("Enter")
        expect(stored(hanako, "こんにちは")).to_be_visible()
        expect(area).to_have_value("")

        # Shift+Enter starts a new line.
        area.fill("来週の予定")
        area.press("Shift+Enter")
        expect(area).to_have_value("来週の予定\n")

        # The Enter that confirms a kana-kanji conversion sends nothing.
        area.fill("かいぎ")
        assert area.evaluate(COMPOSING_ENTER) is False
        expect(area).to_have_value("かいぎ")
        expect(hanako.locator(".talk-msg", has_text="かいぎ")).to_have_count(0)
        area.fill("会議は3時からです")
        area.press("Enter")
        expect(stored(hanako, "会議は3時からです")).to_be_visible()
        hanako.reload()
        expect(hanako.locator(".talk-msg", has_text="かいぎ")).to_have_count(0)
        expect(hanako.locator(".talk-msg", has_text="会議は3時からです")).to_have_count(1)
    finally:
        hanako_ctx.close()
        misaki_ctx.close()


def test_the_header_count_moves_live_on_the_home_page(
    browser: Browser, site: tuple[Site, AsgiWorker]
) -> None:
    data, worker = site
    ichiro_ctx, ichiro = open_as(browser, worker, data.sessions[2], f"/n/{data.slug}/")
    hanako_ctx, hanako = open_as(
        browser, worker, data.sessions[1], f"/n/{data.slug}/talk/r/{data.room}/"
    )
    try:
        expect(ichiro.locator("[data-network-socket][data-socket-open]")).to_have_count(1)
        badge = ichiro.locator('[data-count-of="talk"]')
        link = ichiro.get_by_role("link", name=re.compile("^トーク"))
        expect(badge).to_be_hidden()
        expect(link).to_have_accessible_name("トーク")
        connected(hanako)
        area = hanako.get_by_label("メッセージ")
        area.fill("今夜の懇親会、19時からです")
        area.press("Control+Enter")
        expect(stored(hanako, "今夜の懇親会")).to_be_visible()
        # No reload: the number shows, and the link's name says it.
        expect(badge).to_have_text("1")
        expect(badge).to_be_visible()
        expect(link).to_have_accessible_name(re.compile("^トーク ?1$"))
        # He opens the room in another tab: his home page hears that he read it.
        room_tab = ichiro_ctx.new_page()
        room_tab.goto(f"/n/{data.slug}/talk/r/{data.room}/")
        expect(stored(room_tab, "今夜の懇親会")).to_be_visible()
        expect(badge).to_be_hidden()
        expect(link).to_have_accessible_name("トーク")
    finally:
        ichiro_ctx.close()
        hanako_ctx.close()


def test_the_room_list_shows_each_rooms_newest_message_live(
    browser: Browser, site: tuple[Site, AsgiWorker]
) -> None:
    data, worker = site
    room = f"/n/{data.slug}/talk/r/{data.room}/"
    hanako_ctx, hanako = open_as(browser, worker, data.sessions[1], room)
    ichiro_ctx = None
    try:
        connected(hanako)
        area = hanako.get_by_label("メッセージ")
        area.fill("明日の朝活は8時から、\n場所はいつものカフェです")
        area.press("Control+Enter")
        expect(stored(hanako, "明日の朝活は8時から")).to_be_visible()

        ichiro_ctx, ichiro = open_as(browser, worker, data.sessions[2], f"/n/{data.slug}/talk/")
        row = ichiro.locator(f'[data-room="{data.room}"]')
        last = row.locator("[data-room-last]")
        expect(last).to_have_text(
            re.compile(r"^田中 花子: 明日の朝活は8時から、 場所はいつものカフェです [\d/: ]+$")
        )
        expect(row.locator("[data-room-unread]")).to_have_text("1")

        # A new message moves the line and the count while the list is open.
        connected(ichiro)
        area.fill("**遅れる方**はご連絡ください")
        area.press("Control+Enter")
        expect(last).to_have_text(
            re.compile(r"^田中 花子: 遅れる方はご連絡ください \d\d/\d\d \d\d:\d\d$")
        )
        expect(row.locator("[data-room-unread]")).to_have_text("2")
        expect(ichiro.locator('[data-count-of="talk"]')).to_have_text("2")
    finally:
        hanako_ctx.close()
        if ichiro_ctx is not None:
            ichiro_ctx.close()
