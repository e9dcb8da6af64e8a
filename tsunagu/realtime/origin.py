"""Which pages may open a socket: those whose origin may also post a form.

A socket carries the member's session cookie like a form does, so a page elsewhere that opens one
would act as the member (cross-site websocket hijacking). Channels' ``AllowedHostsOriginValidator``
compares host names only, so ``http://localhost:9999`` passed for a site on ``localhost:8000``. Here
the origin is compared as Django's CSRF check compares it, scheme, host and port, against:

- the site's own address, ``SITE_URL``;
- ``CSRF_TRUSTED_ORIGINS``, exactly, or any subdomain for an entry such as ``https://*.example.jp``;
- the address the handshake itself was sent to (its ``Host``, when ``ALLOWED_HOSTS`` accepts it,
  with ``http``/``https`` for ``ws``/``wss``), as CSRF accepts a form posted to its own page.

A handshake without an ``Origin`` (no browser sends one) is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

_deny = WebsocketDenier.as_asgi()


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _handshake_origin(scope: dict[str, Any]) -> str | None:
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    return f"{scheme}://{host}".lower()


def _matches_trusted(origin: str, trusted: Iterable[str]) -> bool:
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    for entry in trusted:
        entry = entry.lower()
        if "*" not in entry:
            if origin == _origin_of(entry):
                return True
            continue
        wildcard = urlsplit(entry)
        if wildcard.scheme == parts.scheme and is_same_domain(
            parts.netloc, wildcard.netloc.lstrip("*")
        ):
            return True
    return False


def origin_allowed(scope: dict[str, Any]) -> bool:
    origin = (_header(scope, b"origin") or "").strip().lower()
    if not origin or origin == "null":
        return False
    if origin == _origin_of(settings.SITE_URL):
        return True
    if origin == _handshake_origin(scope):
        return True
    return _matches_trusted(origin, settings.CSRF_TRUSTED_ORIGINS)


class OriginValidator:
    """Lets through the handshakes that ``origin_allowed`` accepts; refuses every other one."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await _deny(scope, receive, send)
        return await self.application(scope, receive, send)
