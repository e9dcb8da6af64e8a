"""The browser tests check every page they visit with axe-core, and hear of its serious faults.

Every browser test fails when axe finds a serious or critical fault on a page of its journey
(``conftest.py``, ``tsunagu/testing/accessibility.py``); these show that such a fault is indeed
noticed: on a page the test has already left, and on a page of the site after it changed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.browser


def data_url(html: str) -> str:
    return "data:text/html;charset=utf-8," + quote(html)


FAULTY = data_url(
    '<!doctype html><html lang="ja"><head><title>不具合のあるページ</title></head><body><main>'
    "<h1>写真</h1>"
    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
    '<button type="button"></button>'
    "</main></body></html>"
)
SOUND = data_url(
    '<!doctype html><html lang="ja"><head><title>問題のないページ</title></head><body><main>'
    "<h1>お知らせ</h1><p>本日は晴天です。</p>"
    "</main></body></html>"
)


def test_a_page_left_for_another_is_checked_and_its_serious_faults_are_reported(
    browser: Browser, accessibility_faults: list[str]
) -> None:
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(FAULTY)
    expect(page.get_by_role("heading")).to_have_text("写真")
    page.goto(SOUND)
    expect(page.get_by_role("heading")).to_have_text("お知らせ")
    context.close()

    reported = "\n".join(accessibility_faults)
    assert len(accessibility_faults) == 2, reported
    assert "critical image-alt" in reported  # an image without a text alternative
    assert "critical button-name" in reported  # a button without a name
    assert all(FAULTY[:60] in fault for fault in accessibility_faults)  # the page that had them
    accessibility_faults.clear()  # seen and expected here; anywhere else they fail the test


@pytest.mark.django_db(transaction=True)
def test_a_fault_added_to_a_page_of_the_site_is_found_without_touching_its_policy(
    browser: Browser, live_server: Any, accessibility_faults: list[str], csp_violations: list[str]
) -> None:
    context = browser.new_context(locale="ja-JP", base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.evaluate(
        """() => {
          const field = document.createElement("input");
          field.type = "text";
          field.id = "unlabelled";
          document.querySelector("main").append(field);
        }"""
    )
    context.close()

    assert len(accessibility_faults) == 1, "\n".join(accessibility_faults)
    assert "critical label" in accessibility_faults[0]
    assert "#unlabelled" in accessibility_faults[0]
    assert "/accounts/login/" in accessibility_faults[0]
    # axe ran inside a page whose policy forbids inline and evaluated scripts: nothing refused.
    assert csp_violations == []
    accessibility_faults.clear()
