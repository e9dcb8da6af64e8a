from __future__ import annotations

import pytest

from tsunagu.core.cache import RedisCache


@pytest.mark.redis
def test_the_redis_cache_stores_reads_and_drops_values_with_one_client(redis_url: str) -> None:
    cache = RedisCache(redis_url, {"KEY_PREFIX": "tsunagu-test"})
    cache.set("network", {"name": "三ツ葉商事"}, 30)
    assert cache.get("network") == {"name": "三ツ葉商事"}
    assert cache.get_many(["network", "missing"]) == {"network": {"name": "三ツ葉商事"}}
    cache.delete("network")
    assert cache.get("network") is None
    assert cache._cache.get_client() is cache._cache.get_client()
