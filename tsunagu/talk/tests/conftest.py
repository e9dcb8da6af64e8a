from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from conftest import require
from tsunagu.core.testing.servers import PrivateRedis


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings: pytest.FixtureRequest) -> None:
    """Tests post many messages at once; the flood test sets its own limit."""
    settings.TALK_RATE_MESSAGES = 10_000  # type: ignore[attr-defined]


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A Redis of the test's own, which it may stop and start (never the machine's)."""
    require("redis-server", shutil.which("redis-server") is not None)
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()
