"""Talk as a chat in real browsers, in Japanese: the typing line goes when the message comes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tsunagu.core.testing.servers import AsgiWorker
from tsunagu.talk.tests.test_browser_talk import open_as
from tsunagu.testing.sites import Site, make_site

pytestmark = [pytest.mark.browser]


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
