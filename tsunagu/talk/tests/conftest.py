from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings: pytest.FixtureRequest) -> None:
    """Tests post many messages at once; the flood test sets its own limit."""
    settings.TALK_RATE_MESSAGES = 10_000  # type: ignore[attr-defined]
