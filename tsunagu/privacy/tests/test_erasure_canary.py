"""The erasure canary: unique strings in every personal field, message, file name and cache entry
of a member of two networks; after the erasure, no table, media folder or Redis key holds one."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import TestCase
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.core.testing.factories import PASSWORD
from tsunagu.privacy.models import Erasure
from tsunagu.privacy.tasks import erase_due_accounts
from tsunagu.profiles.models import Profile
from tsunagu.testing.world import World

from .helpers import fill

CANARY = "消去カナリア-5e0f"
ASCII_CANARY = "kanaria5e0f"  # for the e-mail address
TEXT_TYPES = ("character varying", "text", "jsonb", "json", "character")


def hits_in_tables(needles: list[str]) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = ANY(%s)",
            [list(TEXT_TYPES)],
        )
        for table, column in cursor.fetchall():
            for needle in needles:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE %s',  # noqa: S608
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column}")
    return found


def hits_in_folders(needles: list[str]) -> list[str]:
    found = []
    for root in (Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)):
        for folder, _dirs, files in os.walk(root):
            for name in files:
                path = Path(folder) / name
                content = path.read_bytes()
                if any(n in str(path) or n.encode() in content for n in needles):
                    found.append(str(path))
    return found


def hits_in_redis(url: str, needles: list[str]) -> list[str]:
    import redis

    client = redis.Redis.from_url(url)
    found = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        value = client.get(key) if kind == b"string" else b""
        if any(n.encode() in key or n.encode() in (value or b"") for n in needles):
            found.append(key.decode("utf-8", "replace"))
    return found


@pytest.fixture
def redis_cache(redis_url: str, settings) -> str:  # type: ignore[no-untyped-def]
    settings.CACHES = {
        "default": {
            "BACKEND": "tsunagu.core.redis_cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "tsunagu",
        }
    }
    return redis_url


def test_nothing_of_the_erased_person_is_left_anywhere(
    postgres_only: None, redis_cache: str, world: World
) -> None:
    user = world.alumni_a.user
    user.email = f"{ASCII_CANARY}@example.jp"
    user.save()
    with scopes_disabled():
        user.emailaddress_set.update(email=user.email)
    filled = fill(world, CANARY)
    needles = [CANARY, ASCII_CANARY]
    # The person, a member of A and B, has asked for their data, and pages that show them have
    # been read by others: their names are in the cache.
    client = world.client(world.alumni_a)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/accounts/privacy/export/")
    for who, net in ((world.employee_a, world.net_a), (world.alumni_b, world.net_b)):
        reader = world.client(who)
        thread = filled.objects[net.slug]["thread"]
        room = filled.objects[net.slug]["room"]
        with scopes_disabled():
            profile = Profile.objects.get(membership__user=user, network=net)
        for path in ("", "members/", f"members/{profile.pk}/", f"boards/t/{thread.pk}/",
                     f"talk/r/{room.pk}/", "search/?q=" + CANARY[:4]):  # fmt: skip
            assert reader.get(f"/n/{net.slug}/{path}").status_code == 200, path
    assert hits_in_redis(redis_cache, needles), "the pages should have cached the person"
    assert hits_in_tables(needles) and hits_in_folders(needles)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/accounts/privacy/delete/", {"password": PASSWORD, "posts": "tombstone"}
        )
    assert response.status_code == 302
    Erasure.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert erase_due_accounts() == 1

    assert hits_in_tables(needles) == []
    assert hits_in_folders(needles) == []
    assert hits_in_redis(redis_cache, needles) == []
