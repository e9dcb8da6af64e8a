"""The one settings module: safe in production with the documented variables, self-contained
without any. Each case imports the settings afresh in a subprocess with exactly its environment."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from django.conf import settings

from tsunagu.core.testing.processes import clean_env as base_clean_env
from tsunagu.core.testing.processes import run_manage

ROOT = Path(settings.BASE_DIR)
PRODUCTION_HOST = "alumni.example.com"


def clean_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    return base_clean_env(tmp_path / "data", **variables)


def production_env(tmp_path: Path) -> dict[str, str]:
    return clean_env(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(64),
        DEBUG="0",
        ALLOWED_HOSTS=PRODUCTION_HOST,
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SITE_URL=f"https://{PRODUCTION_HOST}",
        CSRF_TRUSTED_ORIGINS=f"https://{PRODUCTION_HOST}",
    )


manage = run_manage


SETTINGS_AS_JSON = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "DEBUG": s.DEBUG,
    "db_engine": db["ENGINE"],
    "db_name": str(db["NAME"]),
    "db_options": db.get("OPTIONS", {}),
    "cache": s.CACHES["default"]["BACKEND"],
    "channel_layer": s.CHANNEL_LAYERS["default"]["BACKEND"],
    "celery_eager": s.CELERY_TASK_ALWAYS_EAGER,
    "celery_broker": s.CELERY_BROKER_URL,
    "email_backend": s.EMAIL_BACKEND,
    "session_engine": s.SESSION_ENGINE,
    "language": s.LANGUAGE_CODE,
    "time_zone": s.TIME_ZONE,
    "allowed_hosts": s.ALLOWED_HOSTS,
    "secure_ssl_redirect": getattr(s, "SECURE_SSL_REDIRECT", False),
    "session_cookie_secure": s.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": s.CSRF_COOKIE_SECURE,
    "hsts_seconds": s.SECURE_HSTS_SECONDS,
    "csrf_trusted_origins": s.CSRF_TRUSTED_ORIGINS,
    "site_url": s.SITE_URL,
}))
"""


def settings_under(env: dict[str, str]) -> dict[str, object]:
    result = manage(env, "shell", "-c", SETTINGS_AS_JSON)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Production -----------------------------------------------------------------------------------


def test_deploy_check_passes_with_the_documented_production_variables(tmp_path: Path) -> None:
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_for_the_embedded_defaults(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["SECRET_KEY"], env["DEBUG"]

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG on


def test_deploy_check_refuses_the_public_embedded_secret_key_even_with_debug_off(
    tmp_path: Path,
) -> None:
    # Forgetting SECRET_KEY while turning DEBUG off must not pass: the embedded setup's key is
    # generated into one machine's DATA_DIR and lost with it (tsunagu.W001).
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0, result.stdout + result.stderr


def test_production_variables_switch_to_redis_and_secure_cookies(tmp_path: Path) -> None:
    values = settings_under(production_env(tmp_path))

    assert values["DEBUG"] is False
    assert values["cache"] == "tsunagu.core.redis_cache.RedisCache"
    assert values["channel_layer"] == "channels_redis.core.RedisChannelLayer"
    assert values["celery_eager"] is False
    assert values["celery_broker"] == "redis://127.0.0.1:6379/0"
    assert values["allowed_hosts"] == [PRODUCTION_HOST]
    assert values["csrf_trusted_origins"] == [f"https://{PRODUCTION_HOST}"]
    assert values["site_url"] == f"https://{PRODUCTION_HOST}"
    assert values["secure_ssl_redirect"] is True
    assert values["session_cookie_secure"] is True
    assert values["csrf_cookie_secure"] is True
    assert values["hsts_seconds"] >= 60 * 60 * 24 * 365  # type: ignore[operator]


def test_a_secret_key_alone_turns_debug_pages_off(tmp_path: Path) -> None:
    values = settings_under(clean_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(64)))

    assert values["DEBUG"] is False


# --- Embedded defaults ----------------------------------------------------------------------------


def test_without_variables_everything_runs_in_process(tmp_path: Path) -> None:
    values = settings_under(clean_env(tmp_path))

    assert values["db_engine"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(tmp_path / "data" / "tsunagu.sqlite3")
    assert values["channel_layer"] == "channels.layers.InMemoryChannelLayer"
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["celery_eager"] is True
    assert values["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert values["session_engine"] == "django.contrib.sessions.backends.db"
    assert values["DEBUG"] is True
    assert values["language"] == "ja"
    assert values["time_zone"] == "Asia/Tokyo"


def test_embedded_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    for pragma in ('journal_mode', 'busy_timeout', 'foreign_keys'):\n"
        "        c.execute('PRAGMA ' + pragma)\n"
        "        print(pragma, c.fetchone()[0])\n"
    )

    result = manage(env, "shell", "-c", script)

    assert result.returncode == 0, result.stderr
    pragmas = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines()[-3:])
    assert pragmas["journal_mode"] == "wal"
    assert int(pragmas["busy_timeout"]) >= 5000
    assert pragmas["foreign_keys"] == "1"
    assert (tmp_path / "data" / "tsunagu.sqlite3").exists()


def test_the_test_suite_itself_runs_with_its_mail_captured() -> None:
    # The root conftest swaps the console backend for locmem, so tests can read mail.outbox.
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_secret_key_counts_as_no_key(tmp_path: Path, value: str) -> None:
    env = clean_env(tmp_path, SECRET_KEY=value)

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
