from __future__ import annotations

from tsunagu.core.tests.test_browser_journey import page  # noqa: F401
