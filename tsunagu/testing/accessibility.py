"""The browser tests check every page they visit with axe-core (vendored in ``vendor/axe``).

The shared ``browser`` fixture (``conftest.py``) hands each context to an ``AxeWatch``. Playwright's
sync API must not be called from its event handlers, so the handlers only note that a page's main
frame navigated; the check itself runs lazily, before the test's next action (any page, locator,
keyboard or mouse action, ``page.goto`` included), before a page or a context is closed, and at the
end of the test for every page still open. A page whose address and markup are unchanged since its
last check is not checked again.

axe is injected with ``page.evaluate``: Playwright evaluates through the DevTools protocol, which
the page's Content-Security-Policy does not govern, so the site's policy stays as it is and the
CSP-violation check keeps watching the same pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

AXE_PATH = Path(__file__).parent / "vendor" / "axe" / "axe.min.js"

# What fails a test: the impacts axe calls serious and critical.
FAILING_IMPACTS = ("serious", "critical")

# Faults known and tracked elsewhere, left out of the check: (axe rule id, start of the page's
# path). Only markup that is not ours belongs here; a fault of our templates is fixed there.
KNOWN_FAULTS: frozenset[tuple[str, str]] = frozenset(
    {
        # Django's admin, for the site's administrators: a tabular inline names its fields by
        # the column heading only, its autocomplete (select2) leaves its box unnamed, and its
        # breadcrumbs are links told apart by colour.
        ("select-name", "/admin/"),
        ("aria-input-field-name", "/admin/"),
        ("link-in-text-block", "/admin/"),
    }
)


def is_known(rule: str, path: str) -> bool:
    return any(rule == known and path.startswith(start) for known, start in KNOWN_FAULTS)


# The page's state is its address and a hash of its markup: the same state is not checked twice.
RUN_AXE = """async (impacts) => {
  const markup = document.documentElement ? document.documentElement.outerHTML : "";
  let hash = 0;
  for (let i = 0; i < markup.length; i++) hash = (hash * 31 + markup.charCodeAt(i)) | 0;
  const state = `${location.href} ${markup.length} ${hash}`;
  if (window.__tsunaguAxeState === state) return null;
  // No preload: axe would parse the style sheets of an @import (the admin's) in a <style> of its
  // own, which the policy refuses; only css-orientation-lock needs it.
  const options = {resultTypes: ["violations"], iframes: false, preload: false};
  const results = await window.axe.run(document, options);
  window.__tsunaguAxeState = state;
  return results.violations
    .filter((violation) => impacts.includes(violation.impact))
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
}"""

HAS_AXE = "() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"


@functools.cache
def axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def check_page(page: Any) -> list[str]:
    """The serious and critical faults axe finds on the page as it is now, one line each."""
    url = page.url
    if not url.startswith(("http:", "https:", "data:")):
        return []  # about:blank, Chromium's error pages
    page.wait_for_load_state("load")
    if not page.evaluate(HAS_AXE):
        page.evaluate(axe_source())
    violations = page.evaluate(RUN_AXE, list(FAILING_IMPACTS))
    if violations is None:
        return []
    path = urlsplit(url).path
    shown = url if len(url) <= 120 else url[:117] + "..."
    return [
        f"{violation['impact']} {violation['id']} ({violation['help']}) at {shown}: "
        + ", ".join(violation["targets"][:5])
        + (f" and {len(violation['targets']) - 5} more" if len(violation["targets"]) > 5 else "")
        for violation in violations
        if not is_known(violation["id"], path)
    ]


PAGE_ACTIONS = [
    "goto",
    "reload",
    "go_back",
    "go_forward",
    "click",
    "dblclick",
    "fill",
    "type",
    "press",
    "check",
    "uncheck",
    "set_checked",
    "select_option",
    "set_input_files",
    "hover",
    "tap",
    "focus",
    "dispatch_event",
    "drag_and_drop",
]
LOCATOR_ACTIONS = [
    "click",
    "dblclick",
    "fill",
    "clear",
    "type",
    "press",
    "press_sequentially",
    "check",
    "uncheck",
    "set_checked",
    "select_option",
    "set_input_files",
    "hover",
    "tap",
    "focus",
    "blur",
    "dispatch_event",
    "drag_to",
    "select_text",
]
KEYBOARD_ACTIONS = ["press", "type", "insert_text"]
MOUSE_ACTIONS = ["click", "dblclick"]


class AxeWatch:
    """Checks the pages of the contexts it watches, into ``faults``."""

    def __init__(self, faults: list[str]) -> None:
        self.faults = faults
        self.pages: dict[int, Any] = {}
        self.navigated: dict[int, Any] = {}
        self.checking = False

    def install(self, monkeypatch: Any) -> None:
        """Runs the pending checks before each action of the test (for this test only)."""
        from playwright.sync_api import BrowserContext, Keyboard, Locator, Mouse, Page

        for cls, names in (
            (Page, PAGE_ACTIONS),
            (Locator, LOCATOR_ACTIONS),
            (Keyboard, KEYBOARD_ACTIONS),
            (Mouse, MOUSE_ACTIONS),
        ):
            for name in names:
                monkeypatch.setattr(cls, name, self._after_pending_checks(getattr(cls, name)))
        monkeypatch.setattr(Page, "close", self._closing_page(Page.close))
        monkeypatch.setattr(BrowserContext, "close", self._closing_context(BrowserContext.close))

    def watch(self, context: Any) -> None:
        context.on("page", self._page_opened)  # pages the site opens, popups
        new_page = context.new_page

        def watched_page(*args: Any, **kwargs: Any) -> Any:
            page = new_page(*args, **kwargs)
            self._page_opened(page)
            return page

        context.new_page = watched_page

    def check_open_pages(self) -> None:
        for page in list(self.pages.values()):
            self._check(page)

    def _page_opened(self, page: Any) -> None:
        # A handler: it notes, it does not call Playwright.
        if id(page) in self.pages:
            return
        self.pages[id(page)] = page
        page.on("framenavigated", lambda frame: self._frame_navigated(page, frame))
        page.on("close", lambda _: self._forget(page))

    def _frame_navigated(self, page: Any, frame: Any) -> None:
        if frame.parent_frame is None:
            self.navigated[id(page)] = page

    def _forget(self, page: Any) -> None:
        self.pages.pop(id(page), None)
        self.navigated.pop(id(page), None)

    def _check_navigated(self) -> None:
        for page in list(self.navigated.values()):
            self._check(page)

    def _check(self, page: Any) -> None:
        if self.checking or id(page) not in self.pages or page.is_closed():
            return
        self.checking = True
        self.navigated.pop(id(page), None)
        try:
            for attempt in (1, 2):
                try:
                    self.faults.extend(check_page(page))
                    break
                except Exception as error:
                    # The page navigated while axe ran (a form sent, a redirect): check where it is.
                    if attempt == 2 or "context was destroyed" not in str(error):
                        raise
        finally:
            self.checking = False

    def _after_pending_checks(self, action: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(action)
        def checked(target: Any, *args: Any, **kwargs: Any) -> Any:
            self._check_navigated()
            return action(target, *args, **kwargs)

        return checked

    def _closing_page(self, close: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(close)
        def checked(page: Any, *args: Any, **kwargs: Any) -> Any:
            self._check(page)
            return close(page, *args, **kwargs)

        return checked

    def _closing_context(self, close: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(close)
        def checked(context: Any, *args: Any, **kwargs: Any) -> Any:
            for page in context.pages:
                self._check(page)
            return close(context, *args, **kwargs)

        return checked
