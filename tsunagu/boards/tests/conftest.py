from __future__ import annotations

# The logged-in page fixture of the main journey, shared by the boards' browser test.
from tsunagu.core.tests.test_browser_journey import page  # noqa: F401
