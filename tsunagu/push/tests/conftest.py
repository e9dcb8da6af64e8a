from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tsunagu.core.tests.test_browser_journey import page  # noqa: F401
from tsunagu.push.tests.service import PushService, push_service


@pytest.fixture
def service(settings: Any) -> Iterator[PushService]:
    """A push service on 127.0.0.1, which the site may send to (as with DEBUG on)."""
    settings.TSUNAGU_PUSH_ALLOW_LOCAL = True
    settings.TSUNAGU_PUSH_TIMEOUT = 2
    with push_service() as running:
        yield running
