"""The embedded setup under a small office's load: 16 members logged in at once, all writing,
through the real server (gunicorn, 2 processes x 8 threads) on one SQLite file; and 16 writers
that read, then write, inside one transaction. Nobody may ever see "database is locked"."""

from __future__ import annotations

import http.cookiejar
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from tsunagu.core.testing.processes import clean_env, run_manage
from tsunagu.testing import databases

ROOT = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).with_name("gunicorn")
DEMO_PASSWORD = "tsunagu-demo"
USERS = 16
ROUNDS = 5  # each round: switch language, mark notifications read, open the home page


# seed_demo with cheap password hashes: full-strength PBKDF2 costs about a second per demo member
# on a small machine. The server runs with the real hasher, so each login still pays for one full
# hash (Django upgrades the weak hash on the spot, which is one more write under load).
SEED_QUICKLY = """
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
PBKDF2PasswordHasher.iterations = 1000
call_command("seed_demo", members=20)
"""


def manage(env: dict[str, str], *args: str) -> str:
    result = run_manage(env, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    base: str
    env: dict[str, str]
    log: Path


@pytest.fixture
def server(tmp_path: Path, test_run_dir: Path) -> Iterator[Server]:
    assert GUNICORN.exists(), f"gunicorn is a dependency; missing at {GUNICORN}"
    env = clean_env(tmp_path / "data")  # no DATABASE_URL: the embedded SQLite file
    databases.copy_sqlite(test_run_dir, tmp_path / "data" / databases.TEMPLATE_FILE)
    manage(env, "shell", "-c", SEED_QUICKLY)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "config.wsgi:application",
                "--workers=2",
                "--threads=8",
                f"--bind=127.0.0.1:{port}",
                "--timeout=60",
                "--access-logfile=-",
            ],
            env=env,
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, process, log)
            yield Server(base=base, env=env, log=log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within 20 s:\n{log.read_text()}")


@dataclass
class Browser:
    """One member's browser: its own cookies, a real HTTP connection per request."""

    base: str
    email: str
    statuses: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(  # noqa: S310 - our own test server
            self.base + path,
            data=body,
            method=method,
            headers={"Referer": self.base + path, "Accept-Language": "ja"},
        )
        try:
            with self.opener.open(req, timeout=60) as response:
                self.statuses.append((f"{method} {path}", response.status))
                return response.read().decode()
        except urllib.error.HTTPError as error:
            self.statuses.append((f"{method} {path}", error.code))
            return error.read().decode(errors="replace")

    def post(self, path: str, data: dict[str, str] | None = None) -> str:
        token = self.cookie("csrftoken") or ""
        return self.request("POST", path, {"csrfmiddlewaretoken": token, **(data or {})})

    def log_in(self) -> None:
        page = self.request("GET", "/accounts/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, page[:500]
        self.request(
            "POST",
            "/accounts/login/",
            {"login": self.email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": match[1]},
        )
        assert self.cookie("sessionid"), f"{self.email} could not log in: {self.statuses}"


def demo_emails() -> list[str]:
    key_people = [
        "operator@example.com",
        "supporter@example.com",
        "employee@example.com",
        "alumni@example.com",
    ]
    return key_people + [f"mitsuba{n:03d}@example.com" for n in range(1, USERS - 3)]


def test_sixteen_members_writing_at_once_never_see_database_is_locked(server: Server) -> None:
    browsers = [Browser(server.base, email) for email in demo_emails()]
    assert len(browsers) == USERS
    start = threading.Barrier(USERS)

    def member_session(browser: Browser) -> str:
        browser.log_in()
        start.wait(timeout=30)  # then everybody writes at the same moment
        language = "ja"
        for round_number in range(ROUNDS):
            language = "en" if round_number % 2 == 0 else "ja"
            browser.post("/language/", {"language": language, "next": "/n/mitsuba/"})
            browser.post("/n/mitsuba/notifications/read-all/")
            browser.request("GET", "/n/mitsuba/")
        return language

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=USERS) as pool:
        last_languages = list(pool.map(member_session, browsers))
    elapsed = time.monotonic() - began

    log = server.log.read_text()
    assert "database is locked" not in log
    failures = [(b.email, what, code) for b in browsers for what, code in b.statuses if code >= 500]
    assert not failures, f"{failures}\n{log[-3000:]}"
    refused = [(b.email, what, code) for b in browsers for what, code in b.statuses if code >= 400]
    assert not refused, refused  # e.g. a CSRF failure would hide the writes we mean to test
    writes = sum(1 for b in browsers for what, _ in b.statuses if what.startswith("POST"))
    assert writes >= USERS * ROUNDS * 2
    assert elapsed < 60, f"took {elapsed:.1f} s"

    # Every member's last choice of language stuck, none was lost to a failed write.
    saved = json.loads(
        manage(
            server.env,
            "shell",
            "-c",
            "import json; from tsunagu.accounts.models import User; "
            "print(json.dumps(dict(User.objects.values_list('email', 'language'))))",
        )
        .strip()
        .splitlines()[-1]
    )
    assert {b.email: saved[b.email] for b in browsers} == {
        b.email: language for b, language in zip(browsers, last_languages, strict=True)
    }
    # And everybody's notifications in the network were marked read.
    unread = manage(
        server.env,
        "shell",
        "-c",
        "from django_scopes import scopes_disabled\n"
        "from tsunagu.notify.models import Notification\n"
        "with scopes_disabled():\n"
        "    print(Notification.objects.filter(network__slug='mitsuba', read_at__isnull=True, "
        f"recipient__email__in={demo_emails()!r}).count())",
    )
    assert unread.strip().splitlines()[-1] == "0"


# Every action that reads, then writes what it read (the next message number in a room, the last
# seat of an event) runs in one transaction. SQLite ignores select_for_update, so what keeps two
# of them apart is the settings' IMMEDIATE begin: the write lock is taken before the read and the
# others queue on the busy timeout. A deferred begin lets them all read the same row, then all but
# one fail at the write with "database is locked" (WAL cannot upgrade a stale snapshot).
# The sessions table stands in for any table: it needs no other app's migrations.
READ_THEN_WRITE = """
import json, threading
from datetime import timedelta
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone

WRITERS, ROUNDS = %(writers)d, %(rounds)d
expires = timezone.now() + timedelta(days=1)
Session.objects.create(session_key="counter", session_data="0", expire_date=expires)
start = threading.Barrier(WRITERS)
errors, seen = [], []

def writer(number):
    start.wait(timeout=30)
    try:
        for round_number in range(ROUNDS):
            try:
                with transaction.atomic():
                    counter = Session.objects.get(session_key="counter")
                    value = int(counter.session_data)
                    Session.objects.create(
                        session_key=f"w{number}-{round_number}",
                        session_data=str(value),
                        expire_date=expires,
                    )
                    counter.session_data = str(value + 1)
                    counter.save(update_fields=["session_data"])
                seen.append(value)
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}")
    finally:
        connection.close()

threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({
    "errors": errors,
    "seen": sorted(seen),
    "counter": int(Session.objects.get(session_key="counter").session_data),
    "rows": Session.objects.exclude(session_key="counter").count(),
}))
"""


def test_sixteen_writers_reading_then_writing_in_one_transaction_never_see_database_is_locked(
    tmp_path: Path,
) -> None:
    env = clean_env(tmp_path / "data")  # no DATABASE_URL: the embedded SQLite file
    for app in ("sites", "sessions"):  # sites first: its post-migrate hook writes a row
        manage(env, "migrate", app, "--noinput")
    rounds = 5
    output = manage(env, "shell", "-c", READ_THEN_WRITE % {"writers": USERS, "rounds": rounds})
    result = json.loads(output.strip().splitlines()[-1])

    assert result["errors"] == [], f"{len(result['errors'])} failed: {result['errors'][:3]}"
    # Each transaction read the value the previous one wrote: none read a stale row, none was lost.
    assert result["seen"] == list(range(USERS * rounds))
    assert result["counter"] == USERS * rounds
    assert result["rows"] == USERS * rounds
