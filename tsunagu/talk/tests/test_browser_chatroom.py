"""The talk room as a chat app, on a phone (390x844, touch) and on a laptop, in Japanese: the
history scrolls above a composer that stays at the bottom, messages are compact lines grouped by
sender, a message's toolbar opens with a long press, @ offers the room's members by kanji, kana
or romaji, and what arrives live shows the reader's local time.

With ``TSUNAGU_SCREENSHOTS=<folder>`` the screenshots of the docs (docs/screenshots/) are written
there: ``TSUNAGU_SCREENSHOTS=docs/screenshots pytest tsunagu/talk/tests/test_browser_chatroom.py``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tsunagu.core.testing.processes import run_manage
from tsunagu.core.testing.servers import AsgiWorker
from tsunagu.testing.sites import Site, make_site

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

COMPOSING_ENTER = """(area) => {
  const event = new KeyboardEvent("keydown", {
    key: "Enter", code: "Enter", isComposing: true, bubbles: true, cancelable: true,
  });
  area.dispatchEvent(event);
  return event.defaultPrevented;
}"""

CONVERSATION = [
    (1, "おはようございます！今日の朝活は7時からです☀"),
    (1, "場所はいつものオンライン会議室です"),
    (2, "参加します。資料は昨日共有したものを使いますね"),
    (0, "皆さんお疲れさまです。来月の交流会の会場が決まりました🎉"),
    (0, "詳細は掲示板に載せています。ぜひご覧ください"),
    (1, "ありがとうございます！楽しみです"),
    (2, "久しぶりに皆さんに会えるのが嬉しいです"),
]


def seed_conversation(room_id: int, older: int = 0) -> None:
    """Run inside the site's process (manage.py shell): 田中 花子 gives her reading in kana, and
    the room gets ``older`` numbered messages, then a short conversation with stamps and a
    reply."""
    from django_scopes import scopes_disabled

    from tsunagu.profiles.indexing import reindex
    from tsunagu.profiles.models import Profile
    from tsunagu.talk.actions import do_send_message, do_toggle_reaction
    from tsunagu.talk.models import Room
    from tsunagu.talk.tests.helpers import fill_room
    from tsunagu.tenancy.models import Membership

    with scopes_disabled():
        room = Room.objects.get(pk=room_id)
        members = list(
            Membership.objects.filter(network=room.network).select_related("user").order_by("pk")
        )
        profile = Profile.objects.select_related("membership__user").get(membership=members[1])
        profile.name_kana = "タナカ ハナコ"
        profile.save()
        reindex(profile)
        if older:
            fill_room(room, members, older, text="過去のお知らせ")
        sent = []
        for i, (who, body) in enumerate(CONVERSATION):
            message, _new = do_send_message(members[who], room, body=body, client_id=f"seed-{i}")
            sent.append(message)
        do_toggle_reaction(members[1], sent[3], "thanks")
        do_toggle_reaction(members[2], sent[3], "welcome")
        do_toggle_reaction(members[2], sent[0], "morning")
        do_send_message(
            members[2], room, body="会場の地図も見ました", client_id="seed-r", thread_root=sent[3]
        )


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Site, AsgiWorker]]:
    site = make_site(tmp_path, None, members=3)
    result = run_manage(
        site.env,
        "shell",
        "-c",
        "from tsunagu.talk.tests.test_browser_chatroom import seed_conversation; "
        f"seed_conversation({int(site.room)}, older=60)",
    )
    assert result.returncode == 0, result.stderr
    worker = AsgiWorker(site.env)
    worker.start()
    yield site, worker
    worker.kill()


def open_room(
    browser: Browser, worker: AsgiWorker, data: Site, who: int, viewport: dict[str, int]
) -> tuple[Any, Page]:
    base = f"http://127.0.0.1:{worker.port}"
    touch = viewport == PHONE
    context = browser.new_context(
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        base_url=base,
        viewport=viewport,
        has_touch=touch,
        is_mobile=touch,
    )
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "sessionid", "value": data.sessions[who], "url": base}])
    page = context.new_page()
    page.goto(f"/n/{data.slug}/talk/r/{data.room}/")
    expect(page.locator("[data-talk-connected]")).to_have_count(1)
    return context, page


def message(page: Page, text: str) -> Any:
    return page.locator(".talk-msg:not(.talk-msg--pending)", has_text=text)


BOTTOM = """() => {
  const list = document.querySelector("[data-messages]");
  return list.scrollHeight - list.scrollTop - list.clientHeight < 4;
}"""


def scrolled_to_bottom(page: Page) -> bool:
    return page.evaluate(BOTTOM)


def toolbar_shown(item: Any) -> bool:
    return item.locator("[data-tools]").evaluate("(bar) => getComputedStyle(bar).opacity === '1'")


def long_press(page: Page, target: Any) -> None:
    """A finger held on ``target`` for 700 ms, as the phone's touch screen sends it."""
    box = target.bounding_box()
    point = {"x": box["x"] + 12, "y": box["y"] + box["height"] / 2}
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    page.wait_for_timeout(700)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def shoot(page: Page, name: str) -> None:
    folder = os.environ.get("TSUNAGU_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


def test_two_phones_chat_with_a_mention_a_stamp_and_local_times(
    browser: Browser, site: tuple[Site, AsgiWorker]
) -> None:
    data, worker = site
    hanako_ctx, hanako = open_room(browser, worker, data, 1, PHONE)
    ichiro_ctx, ichiro = open_room(browser, worker, data, 2, PHONE)
    try:
        # The room opens at its newest message, the composer on screen at the bottom.
        expect(message(hanako, "久しぶりに皆さんに会えるのが嬉しいです")).to_be_in_viewport()
        assert scrolled_to_bottom(hanako)
        area = ichiro.get_by_label("メッセージ")
        box = area.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"]
        # A line of a chat, not a card: the second of two messages in a row is one line.
        follow = message(hanako, "場所はいつものオンライン会議室です")
        expect(follow).to_have_class(re.compile(r"\btalk-msg--cont\b"))
        assert follow.bounding_box()["height"] < 40
        first = message(hanako, "参加します。資料は昨日共有したものを使いますね")
        assert first.bounding_box()["height"] < 80  # the name over two lines of text
        expect(first.locator(".talk-avatar")).to_have_text("鈴木")

        # @ and a kana offer the members read so; Enter in the middle of a conversion picks
        # nothing, Enter after it picks.
        area.click()
        area.press_sequentially("@た")
        option = ichiro.get_by_role("option", name="田中 花子")
        expect(option).to_be_visible()
        expect(ichiro.get_by_role("option", name="佐藤 美咲")).to_have_count(0)
        expect(option).to_have_attribute("aria-selected", "true")
        expect(area).to_have_attribute("aria-activedescendant", option.get_attribute("id") or "")
        expect(area).to_have_attribute("aria-controls", "talk-mentions")
        shoot(ichiro, "talk-room-phone-mention.png")
        assert area.evaluate(COMPOSING_ENTER) is False
        expect(area).to_have_value("@た")
        area.press("Enter")
        expect(area).to_have_value("@田中花子 ")
        expect(ichiro.get_by_role("listbox")).to_be_hidden()
        # Romaji find her too, and Escape closes the list.
        area.press_sequentially("と @hana")
        expect(ichiro.get_by_role("option", name="田中 花子")).to_be_visible()
        area.press("Escape")
        expect(ichiro.get_by_role("listbox")).to_be_hidden()
        area.fill("")
        area.press_sequentially("@tana")
        ichiro.keyboard.press("Tab")
        expect(area).to_have_value("@田中花子 ")
        area.press_sequentially("明日の資料を共有します")
        expect(hanako.locator("[data-typing]")).to_have_text("鈴木 一郎さんが入力中…")
        ichiro.get_by_role("button", name="送信", exact=True).click()

        # It arrives live on her phone, at the bottom, in her local time, and the typing line
        # goes with it.
        live = message(hanako, "明日の資料を共有します")
        expect(live).to_be_visible()
        expect(live).to_contain_text("@田中花子")
        expect(hanako.locator("[data-typing]")).to_be_hidden(timeout=1000)
        expect(live).to_be_in_viewport(ratio=1)
        assert scrolled_to_bottom(hanako)
        time = live.locator("time")
        sent_at = datetime.fromisoformat(time.get_attribute("datetime") or "")
        expected = sent_at.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%m/%d %H:%M")
        expect(time).to_have_text(expected)
        expect(live.locator(".talk-avatar")).to_have_text("鈴木")
        # The mention is the server's: after a reload it is the same message.
        assert ichiro.locator(".talk-msg", has_text="明日の資料を共有します").count() == 1

        # A long press opens the message's toolbar; a stamp from it reaches the sender.
        assert not toolbar_shown(live)
        long_press(hanako, live.locator(".talk-msg__body"))
        assert toolbar_shown(live)
        shoot(hanako, "talk-room-phone-toolbar.png")
        live.get_by_label("スタンプを追加").tap()
        live.get_by_role("button", name="👍").tap()
        given = message(ichiro, "明日の資料を共有します").locator(".stamp:not(.stamp--pick)")
        chip = given.filter(has_text="👍")
        expect(chip.locator(".stamp__count")).to_have_text("1")
        expect(chip).to_have_attribute("title", "田中 花子")
        # The row of stamps under his message keeps his history at the bottom.
        ichiro.wait_for_function(BOTTOM)
        # Her own page has the stamp too (her answer and the room's echo have both arrived).
        mine = live.locator(".stamp:not(.stamp--pick)").filter(has_text="👍")
        expect(mine.locator(".stamp__count")).to_have_text("1")
        # A tap elsewhere closes the toolbar.
        hanako.locator(".talk-head h1").tap()
        expect(live.locator("[data-tools]")).to_have_css("opacity", "0")
        shoot(ichiro, "talk-room-phone.png")
    finally:
        hanako_ctx.close()
        ichiro_ctx.close()


def test_on_a_laptop_the_toolbar_follows_the_mouse_and_the_keyboard_and_history_stays_put(
    browser: Browser, site: tuple[Site, AsgiWorker]
) -> None:
    data, worker = site
    # The office: it pins and hides others' messages too.
    context, page = open_room(browser, worker, data, 0, LAPTOP)
    try:
        assert scrolled_to_bottom(page)
        item = message(page, "参加します。資料は昨日共有したものを使いますね")
        assert not toolbar_shown(item)
        item.hover()
        assert toolbar_shown(item)
        shoot(page, "talk-room-desktop.png")
        # By keyboard: focus inside the message shows its toolbar, with named buttons.
        page.mouse.move(5, 5)
        item.get_by_role("link", name="スレッドで返信").focus()
        assert toolbar_shown(item)
        expect(item.get_by_role("button", name="固定する")).to_be_attached()
        expect(item.get_by_role("button", name="非表示にする")).to_be_attached()
        page.keyboard.press("Shift+Tab")
        expect(item.get_by_label("スタンプを追加")).to_be_focused()
        page.keyboard.press("Enter")
        expect(item.get_by_role("button", name="🎉")).to_be_visible()
        page.keyboard.press("Escape")
        expect(item.get_by_role("button", name="🎉")).to_be_hidden()
        expect(item.get_by_label("スタンプを追加")).to_be_focused()
        # The count of a thread's replies stays in sight, under its message.
        expect(message(page, "来月の交流会").get_by_role("link", name="1件の返信")).to_be_visible()

        # Scrolling up to the top loads the older messages above, and the message that was at
        # the top stays where it was on the screen.
        history = page.locator("[data-messages]")
        seq, top = history.evaluate(
            """(list) => {
              list.scrollTop = 0;
              const first = list.querySelector(".talk-msg");
              return [first.dataset.seq, first.getBoundingClientRect().top];
            }"""
        )
        expect(page.locator(".talk-older")).to_have_count(0)
        expect(page.locator("#m1")).to_contain_text("過去のお知らせ 1")
        moved = page.locator(f"#m{seq}").evaluate("(item) => item.getBoundingClientRect().top")
        assert abs(moved - top) < 2
        assert history.evaluate("(list) => list.scrollTop") > 0
    finally:
        context.close()
