"""The installed app in a real browser, in Japanese, at phone size: offline it shows the offline
page and never a page kept from before; a push shows a notification; the devices block explains
what it can and cannot do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts.models import User
from tsunagu.core.testing.factories import PASSWORD, make_member, make_network, make_user
from tsunagu.core.testing.mail import wait_until
from tsunagu.push.models import PushSubscription
from tsunagu.push.tests.service import BrowserKeys

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NETWORK = "三ツ葉商事 アルムナイ"
CACHED_PATHS = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
  }
  return paths;
}"""


SHOWN = """() => navigator.serviceWorker.ready
  .then((registration) => registration.getNotifications())
  .then((shown) => shown.map((n) => [n.title, n.body, n.tag, n.data.url]))"""


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def controlled_by_the_worker(page: Page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)")


@pytest.fixture
def member(db: Any) -> None:
    network = make_network(slug="mitsuba", name=NETWORK)
    make_member(network, make_user(email="hanako@example.jp", name="田中 花子"))


def test_offline_the_app_shows_the_offline_page_never_a_page_seen_before(
    page: Page, member: None, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "hanako@example.jp")
    page.goto("/n/mitsuba/")
    expect(page.locator(".brand__name")).to_have_text(NETWORK)
    controlled_by_the_worker(page)
    page.goto("/n/mitsuba/notifications/")

    page.context.set_offline(True)
    for path in ("/n/mitsuba/", "/n/mitsuba/notifications/", "/accounts/settings/"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text("オフラインです")
        expect(page.locator("body")).not_to_contain_text(NETWORK)
        expect(page.locator("body")).not_to_contain_text("田中 花子")
    # Styled by the stylesheet the worker kept.
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(246, 247, 251)"
    page.screenshot(path=str(tmp_path / "offline-ja.png"), full_page=True)
    cached = page.evaluate(CACHED_PATHS)
    assert "/offline/" in cached
    assert all(p.startswith("/static/") or p == "/offline/" for p in cached), cached

    # Back online, "try again" shows the page asked for.
    page.context.set_offline(False)
    page.get_by_role("link", name="再読み込み").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("アカウント設定")


def test_a_push_shows_a_notification_that_opens_the_page_it_names(
    page: Page, member: None, live_server: Any
) -> None:
    page.context.grant_permissions(["notifications"])
    log_in(page, "hanako@example.jp")
    page.goto("/n/mitsuba/")
    controlled_by_the_worker(page)
    session = page.context.new_cdp_session(page)
    registrations: list[str] = []
    session.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(r["registrationId"] for r in event["registrations"]),
    )
    session.send("ServiceWorker.enable")
    for _ in range(100):  # Playwright hands over the browser's events while it waits
        if registrations:
            break
        page.wait_for_timeout(50)
    assert registrations
    pushed = {
        "title": NETWORK,
        "body": "佐藤 美咲さんからメッセージが届きました。",
        "url": "/n/mitsuba/talk/",
        "tag": "tsunagu-7",
    }

    def deliver() -> None:
        # To each registration the browser reported: on a busy machine the first report may name
        # one the worker's activation replaced, and a push sent there is dropped. The tag makes a
        # second delivery replace the first notification, not add one.
        for registration in dict.fromkeys(registrations):
            session.send(
                "ServiceWorker.deliverPushMessage",
                {
                    "origin": live_server.url,
                    "registrationId": registration,
                    "data": json.dumps(pushed),
                },
            )

    deliver()
    try:
        shown = wait_until(lambda: page.evaluate(SHOWN), timeout=10)
    except AssertionError:
        deliver()
        shown = wait_until(lambda: page.evaluate(SHOWN), what="the notification is shown")
    assert shown == [[NETWORK, pushed["body"], "tsunagu-7", "/n/mitsuba/talk/"]]


def test_the_devices_block_says_what_this_browser_can_do_and_removes_a_device(
    page: Page, member: None, tmp_path: Path
) -> None:
    hanako = User.objects.get(email="hanako@example.jp")
    PushSubscription.objects.create(
        user=hanako,
        endpoint="https://web.push.apple.com/QGmvZ2J",
        p256dh=BrowserKeys().p256dh,
        auth=BrowserKeys().auth,
        label="Safari · iPhone",
    )
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "hanako@example.jp")
    page.goto("/accounts/settings/")
    block = page.locator("#push-devices")
    expect(block.get_by_role("heading", level=2)).to_have_text("端末への通知")
    expect(block.get_by_role("status")).to_have_text("この端末では通知を受け取っていません。")
    expect(block.locator(".push-device")).to_have_count(1)
    expect(block.locator(".push-device")).to_contain_text("Safari · iPhone")
    page.screenshot(path=str(tmp_path / "devices-ja.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # This browser's notifications are blocked (Chromium's answer without a person to ask):
    # the block says so instead of failing silently.
    block.get_by_role("button", name="この端末で通知を受け取る").focus()
    page.keyboard.press("Enter")
    expect(block.get_by_role("status")).to_have_text(
        "このサイトからの通知がブロックされています。"
        "ブラウザーのサイト設定で通知を許可してから、もう一度お試しください。"
    )

    # The iPhone is removed from the list, with the keyboard.
    block.get_by_role("button", name="外す Safari · iPhone").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Safari · iPhoneでは通知を受け取らなくなりました。")).to_be_visible()
    expect(page.locator("#push-devices")).to_contain_text("通知を受け取る端末はまだありません。")
    assert not PushSubscription.objects.exists()


def test_a_browser_without_push_is_told_how_an_iphone_gets_it(page: Page, member: None) -> None:
    # Safari on an iPhone, outside an app added to the home screen, has no PushManager.
    page.add_init_script("delete window.PushManager;")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "hanako@example.jp")
    page.goto("/accounts/settings/")
    block = page.locator("#push-devices")
    expect(block.get_by_text("このブラウザーでは通知を受け取れません。")).to_be_visible()
    expect(
        block.get_by_text("iPhone・iPad（iOS 16.4以降）では、先にTsunaguをホーム画面に追加して")
    ).to_be_visible()
    expect(block.get_by_role("button", name="この端末で通知を受け取る")).to_be_hidden()
