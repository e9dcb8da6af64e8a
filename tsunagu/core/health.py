"""What /healthz reports: whether each service the site is configured with answers now.

Each check takes at most about a second (short connect and read timeouts) and says ``ok``,
``down`` or ``not used`` (tasks run in the web process when there is no broker). Reasons stay
in the log: the report is public.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.db import DatabaseError, connection

from tsunagu.core import caching

log = logging.getLogger(__name__)

OK, DOWN, NOT_USED = "ok", "down", "not used"
TIMEOUT_SECONDS = 1.0


def _ping_redis(url: str) -> bool:
    client = redis.Redis.from_url(
        url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )
    try:
        return bool(client.ping())
    except redis.RedisError as error:
        log.warning("healthz: Redis at %s does not answer: %s", urlsplit(url).hostname, error)
        return False
    finally:
        client.close()


def check_database() -> str:
    try:
        connection.ensure_connection()
        usable = connection.is_usable()  # a round trip on PostgreSQL
    except DatabaseError as error:
        log.warning("healthz: the database does not answer: %s", error)
        return DOWN
    return OK if usable else DOWN


def check_cache() -> str:
    return OK if caching.reachable() else DOWN


def _redis_hosts(config: dict[str, Any]) -> list[str]:
    hosts = config.get("hosts") or ["redis://localhost:6379"]
    return [host if isinstance(host, str) else host["address"] for host in hosts]


def check_channel_layer() -> str:
    layer: dict[str, Any] = settings.CHANNEL_LAYERS.get("default", {})
    if not str(layer.get("BACKEND", "")).startswith("channels_redis."):
        return OK  # in memory, inside this process
    hosts = _redis_hosts(layer.get("CONFIG", {}))
    return OK if all(_ping_redis(host) for host in hosts) else DOWN


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return NOT_USED
    if urlsplit(url).scheme in ("redis", "rediss"):
        return OK if _ping_redis(url) else DOWN
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - any transport's failure means the same here
        log.warning("healthz: the task broker does not answer: %s", error)
        return DOWN
    return OK


def report() -> dict[str, str]:
    return {
        "database": check_database(),
        "cache": check_cache(),
        "channel_layer": check_channel_layer(),
        "broker": check_broker(),
    }
