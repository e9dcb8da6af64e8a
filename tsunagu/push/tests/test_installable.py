"""The installable app: the manifest and its icons, the service worker at the root, the offline
page that holds nothing of its visitor, and the key pair's command and checks."""

from __future__ import annotations

import io
import json
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from PIL import Image

from tsunagu.core.testing.processes import clean_env, run_manage
from tsunagu.push.checks import check_vapid_keys
from tsunagu.push.vapid import generate_pair, public_key_of
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db


def test_the_manifest_makes_the_site_installable_with_its_icons() -> None:
    response = Client().get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#2f5fd0"
    assert manifest["lang"] == "ja"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_every_page_links_the_manifest_the_icons_and_the_service_worker(world: World) -> None:
    page = world.client(world.alumni_a).get(f"/n/{world.net_a.slug}/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'src="/static/tsunagu/tsunagu.js" data-service-worker="/sw.js"' in page
    assert '<meta name="theme-color" content="#2f5fd0">' in page
    touch_icon = re.search(r'<link rel="apple-touch-icon" href="([^"]+)">', page)
    assert touch_icon
    with Image.open(finders.find(touch_icon[1].removeprefix("/static/"))) as image:
        assert image.size == (180, 180)


def test_the_service_worker_is_served_from_the_root_and_keeps_static_files_only() -> None:
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    config = json.loads(re.search(r"const CONFIG = (\{.*?\});", script)[1])
    assert config["offline"] == "/offline/"
    assert config["static"] == "/static/"
    assert config["precache"] and all(u.startswith("/static/") for u in config["precache"])
    assert config["cache"].startswith("tsunagu-")
    # The only cache.put() is for static files (the browser test proves it in Chromium).
    assert script.count(".put(") == 1


def test_the_offline_page_holds_nothing_of_its_visitor(world: World) -> None:
    """The service worker fetches it with the member's cookies and keeps it for everyone."""
    client = world.client(world.alumni_a)
    client.get(f"/n/{world.net_a.slug}/")  # a session with a network in it
    response = client.get("/offline/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "オフラインです" in page
    for private in (CANARY_A, world.alumni_a.user.email, world.net_a.name, "csrfmiddlewaretoken"):
        assert private not in page
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.get("Vary", "")
    assert "script" not in page


def test_the_policy_allows_this_sites_worker_and_manifest_only() -> None:
    policy = Client().get("/offline/")["Content-Security-Policy"]
    assert "worker-src 'self'" in policy
    assert "manifest-src 'self'" in policy


def test_the_command_prints_a_pair_the_checks_accept(settings: Any) -> None:
    out = io.StringIO()
    call_command("generate_vapid_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    private, public = lines["TSUNAGU_VAPID_PRIVATE_KEY"], lines["TSUNAGU_VAPID_PUBLIC_KEY"]
    assert public_key_of(private) == public
    settings.TSUNAGU_VAPID_PRIVATE_KEY, settings.TSUNAGU_VAPID_PUBLIC_KEY = private, public
    assert check_vapid_keys(None) == []
    settings.TSUNAGU_VAPID_PUBLIC_KEY = generate_pair()[1]
    assert [e.id for e in check_vapid_keys(None)] == ["push.E002"]
    settings.TSUNAGU_VAPID_PUBLIC_KEY = ""
    assert [e.id for e in check_vapid_keys(None)] == ["push.E001"]
    settings.TSUNAGU_VAPID_PRIVATE_KEY = ""
    assert check_vapid_keys(None) == []  # push is off


PRINT_KEYS = (
    "from django.conf import settings; "
    "print(settings.TSUNAGU_VAPID_PRIVATE_KEY, settings.TSUNAGU_VAPID_PUBLIC_KEY, sep='|')"
)


def test_the_embedded_setup_makes_its_key_pair_once_and_production_sets_its_own(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    first = run_manage(clean_env(data), "shell", "-c", PRINT_KEYS)
    again = run_manage(clean_env(data), "shell", "-c", PRINT_KEYS)
    assert first.returncode == 0, first.stderr
    private, public = first.stdout.strip().splitlines()[-1].split("|")
    assert again.stdout == first.stdout  # kept in DATA_DIR: devices keep receiving
    assert public_key_of(private) == public
    key_file = data / "vapid_private_key"
    assert key_file.read_text().strip() == private
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    # Production (SECRET_KEY set) makes none: push is off until the pair is set.
    production = clean_env(tmp_path / "prod", SECRET_KEY="x" * 50, DEBUG="1")
    (tmp_path / "prod").mkdir()
    assert run_manage(production, "shell", "-c", PRINT_KEYS).stdout.strip().endswith("\n|")
    assert not (tmp_path / "prod" / "vapid_private_key").exists()
