"""The talk journey in two real browsers, in Japanese: one posts, the other sees it live and sends
a stamp, the first sees the stamp arrive. Served by a real ASGI worker (uvicorn), as in the
embedded setup, so pages and websockets come from the same process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tsunagu.core.testing.servers import AsgiWorker
from tsunagu.testing.sites import Site, make_site

pytestmark = [pytest.mark.browser]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Site, AsgiWorker]]:
    site = make_site(tmp_path, None, members=3)
    worker = AsgiWorker(site.env)
    worker.start()
    yield site, worker
    worker.kill()


def open_as(
    browser: Browser, worker: AsgiWorker, session: str, path: str, zone: str = "Asia/Tokyo"
) -> Any:
    base = f"http://127.0.0.1:{worker.port}"
    context = browser.new_context(
        locale="ja-JP",
        timezone_id=zone,
        base_url=base,
        viewport={"width": 1100, "height": 900},
    )
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    page.goto(path)
    return context, page


def test_a_message_and_a_stamp_travel_live_between_two_members(
    browser: Browser, site: tuple[Site, AsgiWorker]
) -> None:
    data, worker = site
    room = f"/n/{data.slug}/talk/r/{data.room}/"
    hanako_ctx, hanako = open_as(browser, worker, data.sessions[1], room)
    # Travelling: his computer's clock is set to London, his pages show the network's time.
    ichiro_ctx, ichiro = open_as(browser, worker, data.sessions[2], room, zone="Europe/London")
    try:
        expect(hanako.get_by_role("heading", name="雑談")).to_be_visible()
        # Both sockets are open before anything is sent.
        for page in (hanako, ichiro):
            expect(page.locator("[data-talk-connected]")).to_have_count(1)

        hanako.get_by_label("メッセージ").fill("今日の朝活、参加しました！☀")
        hanako.get_by_role("button", name="送信", exact=True).click()

        live = ichiro.locator(".talk-msg", has_text="今日の朝活、参加しました！☀")
        expect(live).to_be_visible()
        expect(live.locator(".talk-msg__head")).to_contain_text("田中 花子")
        assert ichiro.url.endswith(room)  # no reload: it arrived over the socket
        # Only the sender is offered to edit it, live as after a reload.
        sent = hanako.locator(".talk-msg:not(.talk-msg--pending)", has_text="今日の朝活")
        expect(sent.get_by_role("link", name="編集")).to_be_visible()
        expect(live.get_by_role("link", name="編集")).to_have_count(0)
        expect(live.get_by_role("link", name="スレッドで返信")).to_be_visible()
        live_time = live.locator("time").inner_text()

        live.hover()  # a message's toolbar shows under the mouse
        live.locator("summary").click()
        live.get_by_role("button", name="👍").click()

        mine = hanako.locator(".talk-msg", has_text="今日の朝活、参加しました！☀")
        stamp = mine.locator(".stamp:not(.stamp--pick)", has_text="👍")
        expect(stamp).to_be_visible()
        expect(stamp.locator(".stamp__count")).to_have_text("1")
        expect(stamp).to_have_attribute("title", "鈴木 一郎")

        # Reloading shows the same, from the server: the message was stored once, and its time
        # is the one the live copy showed, in the reader's zone.
        hanako.reload()
        expect(hanako.locator(".talk-msg", has_text="今日の朝活、参加しました！☀")).to_have_count(1)
        ichiro.reload()
        stored = ichiro.locator(".talk-msg", has_text="今日の朝活、参加しました！☀")
        expect(stored.locator("time")).to_have_text(live_time)
    finally:
        hanako_ctx.close()
        ichiro_ctx.close()
