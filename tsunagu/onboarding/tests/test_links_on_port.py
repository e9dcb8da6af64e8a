"""`make run PORT=…` names the address it serves in every link it mails.

The demo is started the way a newcomer starts it, on a port other than 8000; an operator invites
someone; the link in the mail (the console is the outbox of `make run`) is followed and opens
the invitation.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tsunagu.core.testing.processes import ROOT, clean_env

OPERATOR = "operator@example.com"
DEMO_PASSWORD = "tsunagu-demo"  # noqa: S105 - the published demo login


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Browser:
    """Cookies and CSRF like a browser, over plain HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str, str]:
        url = path if path.startswith("http") else self.base + path
        with self.opener.open(url, timeout=30) as answer:
            return answer.status, answer.geturl(), answer.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        _, _, page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no form on {path}"
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        request = urllib.request.Request(  # noqa: S310 - our own server over http
            self.base + path, data=data, headers={"Referer": self.base + path}
        )
        with self.opener.open(request, timeout=30) as answer:
            return answer.status, answer.geturl(), answer.read().decode()


@pytest.fixture
def demo_on_another_port(tmp_path: Path):
    port = free_port()
    log = tmp_path / "run.log"
    env = clean_env(tmp_path / "data")
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603 - our own Makefile
            ["make", "-s", "run", "HOST=127.0.0.1", f"PORT={port}"],  # noqa: S607
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # migrating and seeding beside the browser tests
        while True:
            try:
                with urllib.request.urlopen(base + "/livez", timeout=2):  # noqa: S310
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log.read_text()[-3000:]) from None
                time.sleep(0.3)
        yield base, log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_an_invitation_mailed_by_make_run_on_port_8400_style_links_to_that_port(
    demo_on_another_port: tuple[str, Path],
) -> None:
    base, log = demo_on_another_port
    operator = Browser(base)
    status, where, _ = operator.post(
        "/accounts/login/", {"login": OPERATOR, "password": DEMO_PASSWORD}
    )
    assert status == 200 and "/accounts/login/" not in where

    status, _, page = operator.post(
        "/n/mitsuba/invite/", {"email": "port-test@example.jp", "name": "港 太郎", "message": ""}
    )
    assert status == 200

    deadline = time.monotonic() + 30
    links: list[str] = []
    while time.monotonic() < deadline and not links:
        printed = log.read_text()
        # The console backend prints the mail quoted-printable: undo soft line breaks first.
        printed = printed.replace("=\n", "").replace("=3D", "=")
        links = re.findall(r"https?://[^\s\"<>]+/invitation/[^\s\"<>]+/", printed)
        time.sleep(0.3)
    assert links, "no invitation mail was printed"
    assert all(link.startswith(base + "/") for link in links), links
    assert "127.0.0.1:8000" not in printed

    # The link, followed by the invited person (no session), opens the invitation.
    status, _, page = Browser(base).get(links[0])
    assert status == 200
    assert "三ツ葉" in page
