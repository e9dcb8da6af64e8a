"""The browser enforces the site's Content-Security-Policy, and the browser tests hear of it.

Every browser test fails when the policy refuses anything on its journey (``conftest.py``); this
one shows that a refusal is indeed noticed, on a real page of the site.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tsunagu.core.testing.factories import PASSWORD, make_network, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INJECT = """() => {
  window.injectedScriptRan = false;
  const script = document.createElement("script");
  script.textContent = "window.injectedScriptRan = true";
  document.head.append(script);
  const note = document.createElement("p");
  note.setAttribute("style", "color: red");
  document.body.append(note);
  const pixel = document.createElement("img");
  pixel.src = "https://tracker.example/pixel.gif";
  pixel.alt = "";
  document.body.append(pixel);
  return window.injectedScriptRan;
}"""


def test_an_inline_script_an_inline_style_and_a_foreign_image_are_refused_and_reported(
    browser: Browser, live_server: Any, csp_violations: list[str]
) -> None:
    context = browser.new_context(locale="ja-JP", base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    assert csp_violations == []  # the page itself needs nothing the policy forbids

    ran = page.evaluate(INJECT)
    for _ in range(50):
        if len(csp_violations) >= 3:
            break
        page.wait_for_timeout(100)
    context.close()

    assert ran is False
    reported = "\n".join(csp_violations)
    assert "script-src" in reported
    assert "style-src" in reported
    assert "img-src" in reported and "tracker.example" in reported
    csp_violations.clear()  # seen and expected here; anywhere else they fail the test


def test_the_site_admin_works_under_the_policy_without_an_exception(
    browser: Browser, live_server: Any, csp_violations: list[str]
) -> None:
    make_user(email="admin@example.jp", name="管理者", is_staff=True, is_superuser=True)
    network = make_network(slug="mitsuba", name="三ツ葉商事 アルムナイ")
    context = browser.new_context(locale="ja-JP", base_url=live_server.url)
    page = context.new_page()

    page.goto("/admin/login/?next=/admin/")
    page.fill("input[name=username]", "admin@example.jp")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto("/admin/tenancy/network/")
    page.check("input.action-select")  # the actions bar, driven by the admin's script files
    expect(page.locator(".action-counter")).to_contain_text("1")
    page.goto(f"/admin/tenancy/network/{network.pk}/change/")
    expect(page.locator("input[name=name]")).to_have_value("三ツ葉商事 アルムナイ")
    page.goto("/admin/tenancy/network/add/")
    page.locator("input[name=name]").press_sequentially("Hidamari OB")
    expect(page.locator("input[name=slug]")).to_have_value("hidamari-ob")  # by a script
    context.close()

    assert csp_violations == []
