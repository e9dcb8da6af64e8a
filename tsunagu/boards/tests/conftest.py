from __future__ import annotations

# The browser fixtures of the main journey, shared by the boards' browser test.
from tsunagu.core.tests.test_browser_journey import (  # noqa: F401
    _allow_db_beside_playwright,
    browser,
    page,
)
