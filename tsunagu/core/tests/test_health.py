"""/healthz names each service the site uses and answers 503 when one is down; /livez only says
the process answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tsunagu.core.testing.factories import PASSWORD
from tsunagu.core.testing.servers import free_port
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_gone(settings: Any) -> None:
    """Settings of a production site whose Redis does not answer."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "tsunagu.core.redis_cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "t",
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [url]}}
    }
    settings.CELERY_BROKER_URL = url


def test_healthz_says_every_service_of_the_embedded_setup_answers(settings: Any) -> None:
    settings.CELERY_BROKER_URL = ""  # tasks run in the web process
    answer = Client().get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "cache": "ok",
            "channel_layer": "ok",
            "broker": "not used",
        },
    }
    assert "no-cache" in answer["Cache-Control"]


def test_healthz_answers_503_and_names_each_service_that_is_down(redis_gone: None) -> None:
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "down",
        "checks": {"database": "ok", "cache": "down", "channel_layer": "down", "broker": "down"},
    }


def test_livez_answers_while_redis_is_down(redis_gone: None) -> None:
    answer = Client().get("/livez")
    assert (answer.status_code, answer.content) == (200, b"ok")


def test_a_member_logs_in_and_opens_their_network_while_redis_is_down(
    redis_gone: None, settings: Any, world: World
) -> None:
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client = Client()
    answer = client.post(
        "/accounts/login/", {"login": world.alumni_a.user.email, "password": PASSWORD}
    )
    assert answer.status_code == 302
    page = client.get(f"/n/{world.net_a.slug}/")
    assert page.status_code == 200
    assert world.alumni_a.user.name in page.content.decode()
