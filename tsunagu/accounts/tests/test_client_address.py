"""Login limits count each client, also behind the reverse proxy, and a client cannot dodge them
by writing its own X-Forwarded-For."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from tsunagu.core.clientip import client_ip
from tsunagu.core.testing.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOCKED_OUT = "ログイン失敗が連続しています。"
PROXY = "127.0.0.1"  # nginx, on the same machine: every request's REMOTE_ADDR


def log_in(forwarded_for: str, email: str, password: str) -> Any:
    # As nginx passes it on: the connection is the proxy's, the header names the client.
    client = Client(REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": forwarded_for})
    response = client.post("/accounts/login/", {"login": email, "password": password})
    response.client_session = client.session
    return response


def ten_failed_logins(forwarded_for: str | list[str]) -> None:
    for attempt in range(10):
        address = forwarded_for[attempt] if isinstance(forwarded_for, list) else forwarded_for
        # Each at another address, so the per-address limit (5 in 5 minutes) is never reached.
        response = log_in(address, f"dareka{attempt}@example.jp", "まちがい")
        assert "正しくありません" in response.content.decode()


def logs_in(response: Any) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client_session


def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    make_user(email="hanako@example.jp")
    ten_failed_logins("203.0.113.5")

    assert LOCKED_OUT in log_in("203.0.113.5", "hanako@example.jp", PASSWORD).content.decode()
    assert logs_in(log_in("198.51.100.7", "hanako@example.jp", PASSWORD))


def test_behind_the_proxy_a_header_the_client_wrote_itself_is_not_believed(
    settings: Any,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    make_user(email="hanako@example.jp")
    # nginx appends the address it saw to whatever the client sent.
    ten_failed_logins([f"10.0.0.{n}, 203.0.113.5" for n in range(10)])

    response = log_in("10.0.0.99, 203.0.113.5", "hanako@example.jp", PASSWORD)

    assert LOCKED_OUT in response.content.decode()


def test_without_trusted_proxies_the_header_is_ignored_and_cannot_dodge_the_limit(
    settings: Any,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    make_user(email="hanako@example.jp")
    ten_failed_logins([f"203.0.113.{n}" for n in range(10)])

    response = log_in("198.51.100.7", "hanako@example.jp", PASSWORD)

    assert LOCKED_OUT in response.content.decode()
    assert not logs_in(response)


@pytest.mark.parametrize(
    "trusted, remote, forwarded, expected",
    [
        (0, "192.0.2.1", "203.0.113.5", "192.0.2.1"),
        (1, PROXY, "203.0.113.5", "203.0.113.5"),
        (1, PROXY, "10.0.0.1, 203.0.113.5", "203.0.113.5"),
        (2, PROXY, "10.0.0.1, 203.0.113.5, 198.51.100.9", "203.0.113.5"),
        (1, PROXY, " 2001:db8::1 ", "2001:db8::1"),
        (1, PROXY, None, PROXY),  # a request to the application itself, not through nginx
        (2, PROXY, "203.0.113.5", PROXY),  # fewer entries than proxies
        (1, PROXY, "not-an-address", PROXY),
    ],
)
def test_the_client_address(
    settings: Any, trusted: int, remote: str, forwarded: str | None, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = trusted
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    request = RequestFactory(REMOTE_ADDR=remote).get("/", headers=headers)

    assert client_ip(request) == expected
