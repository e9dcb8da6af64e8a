"""The address a request came from, as every rate limit counts it.

Behind the reverse proxy every request reaches the application from the proxy (127.0.0.1): counted
by that address, ten failed logins from anyone would lock everyone out. Each proxy appends the
address it received the request from to ``X-Forwarded-For``; but a client may put anything in that
header itself, so it is read only when ``TRUSTED_PROXY_COUNT`` says how many proxies in front of the
application are ours. The entry that many places from the end is the one our outermost proxy
wrote: the client as that proxy saw it. With 0 (the default) the header is ignored and the
connection's address counts.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = _address(request.META.get("REMOTE_ADDR"))
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("X-Forwarded-For")
    if trusted <= 0 or not forwarded:
        return remote
    hops = forwarded.split(",")
    if len(hops) < trusted:
        # Fewer entries than our proxies write: the request did not come through them all (a
        # health check on the machine itself). Its connection is the best we know.
        return remote
    return _address(hops[-trusted]) or remote
