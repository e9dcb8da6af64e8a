"""The embedded setup stays safe when it is reached by mistake: it signs with a key of its own,
never a public one, and `make run` will not serve debug pages to other machines unasked."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core import signing
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tsunagu.core.testing.processes import ROOT, clean_env, run_manage
from tsunagu.events import calendar
from tsunagu.news import tokens as news_tokens
from tsunagu.notify import tokens
from tsunagu.testing.world import World

# The key every embedded installation signed with until it made its own: it is in the history of
# the source code, so anyone can sign with it.
PUBLIC_KEY = "django-insecure-embedded-key-set-SECRET_KEY-in-production"
PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"
EVERY_ADDRESS = "0.0.0.0"  # noqa: S104 - the address a mistaken `make run HOST=` names


def key_under(env: dict[str, str]) -> str:
    result = run_manage(env, "shell", "-c", PRINT_KEY)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


# --- The key --------------------------------------------------------------------------------------


def test_without_secret_key_a_random_key_is_made_once_into_data_dir_and_kept(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    env = clean_env(data)

    first = key_under(env)
    again = key_under(env)

    assert first == again  # sessions and links outlive a restart
    assert first != PUBLIC_KEY and not first.startswith("django-insecure-")
    assert len(first) >= 50
    key_file = data / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # readable by this user only
    assert key_under(clean_env(tmp_path / "elsewhere")) != first  # each installation its own


def test_a_secret_key_in_the_environment_is_used_and_no_file_is_made(tmp_path: Path) -> None:
    data = tmp_path / "data"
    key = "k" * 20 + "-production-key-from-the-environment-0123456789"

    assert key_under(clean_env(data, SECRET_KEY=key)) == key
    assert not (data / "secret_key").exists()


def test_deploy_check_still_asks_for_secret_key_with_a_generated_one(tmp_path: Path) -> None:
    # Production sets SECRET_KEY, the same in every process and on every machine.
    env = clean_env(
        tmp_path / "data",
        DEBUG="0",
        ALLOWED_HOSTS="alumni.example.com",
        SITE_URL="https://alumni.example.com",
    )

    result = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "tsunagu.W001" in result.stdout + result.stderr


@pytest.mark.django_db
def test_links_signed_with_the_old_public_key_are_refused(world: World) -> None:
    user_id, network = world.alumni_a.user_id, world.net_a
    forged = {
        "calendar": signing.dumps(
            [user_id, network.pk], salt=calendar.SALT, key=PUBLIC_KEY, compress=True
        ),
        "news": signing.dumps(
            [user_id, network.pk], salt=news_tokens.SALT, key=PUBLIC_KEY, compress=True
        ),
        "unsubscribe": signing.dumps(
            [user_id, network.pk, "announcement"], salt=tokens.SALT, key=PUBLIC_KEY, compress=True
        ),
    }
    slug = {"network_slug": network.slug}
    client = Client()

    calendar_feed = client.get(
        reverse("events:feed_all", kwargs={**slug, "feed_token": forged["calendar"]})
    )
    news_feed = client.get(reverse("news:feed_rss", kwargs={**slug, "feed_token": forged["news"]}))
    unsubscribe = client.post(
        reverse("notify:unsubscribe", kwargs={**slug, "token": forged["unsubscribe"]})
    )

    assert calendar_feed.status_code == 404
    assert news_feed.status_code == 404
    assert unsubscribe.status_code == 400
    # The links the site itself signs still work.
    genuine = calendar.make_feed_token(user_id, network.pk)
    genuine_feed = client.get(reverse("events:feed_all", kwargs={**slug, "feed_token": genuine}))
    assert genuine_feed.status_code == 200


# --- `make run` on an address other machines reach ------------------------------------------------


@pytest.mark.parametrize("host", [EVERY_ADDRESS, "::", "192.168.1.20", "tsunagu.local", ""])
def test_debug_pages_are_not_served_to_other_machines_unasked(settings: Any, host: str) -> None:
    settings.DEBUG = True
    settings.ALLOW_PUBLIC_DEBUG = False

    with pytest.raises(CommandError, match="ALLOW_PUBLIC_DEBUG=1"):
        call_command("check_run_host", host)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_debug_pages_are_served_on_this_machine(settings: Any, host: str) -> None:
    settings.DEBUG = True
    settings.ALLOW_PUBLIC_DEBUG = False

    call_command("check_run_host", host)


def test_debug_pages_are_served_to_other_machines_when_asked_explicitly(settings: Any) -> None:
    settings.DEBUG = True
    settings.ALLOW_PUBLIC_DEBUG = True

    call_command("check_run_host", EVERY_ADDRESS)


def test_without_debug_any_address_is_served(settings: Any) -> None:
    settings.DEBUG = False
    settings.ALLOW_PUBLIC_DEBUG = False

    call_command("check_run_host", EVERY_ADDRESS)


def test_the_variable_reaches_the_check_from_the_environment(tmp_path: Path) -> None:
    refused = run_manage(clean_env(tmp_path / "data"), "check_run_host", EVERY_ADDRESS)
    allowed = run_manage(
        clean_env(tmp_path / "data", ALLOW_PUBLIC_DEBUG="1"), "check_run_host", EVERY_ADDRESS
    )

    assert refused.returncode != 0 and "ALLOW_PUBLIC_DEBUG=1" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr


def test_make_run_checks_the_address_before_serving() -> None:
    # `make -n` prints the recipe without running it.
    planned = subprocess.run(  # noqa: S603 - our own Makefile
        ["make", "-n", "run", "HOST=0.0.0.0"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.splitlines()

    guard = next(i for i, line in enumerate(planned) if "check_run_host 0.0.0.0" in line)
    serve = next(i for i, line in enumerate(planned) if "uvicorn" in line)
    assert guard < serve
