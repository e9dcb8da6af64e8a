"""Headers of every page: the Content-Security-Policy, and ``Vary`` on htmx's partial answers."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers


@lru_cache(maxsize=8)
def content_security_policy(site_url: str, media_url: str) -> str:
    """The policy: everything from this site only, and no inline script or style.

    ``'self'`` covers the site's own websocket in current browsers; the ``ws:``/``wss:`` origin
    of ``SITE_URL`` is named as well for browsers that read ``'self'`` as http(s) only. ``data:``
    images are the QR code of two-factor set-up. Uploads served from another origin
    (``MEDIA_URL`` on a separate host) are allowed as images.
    """
    site = urlsplit(site_url)
    socket = f"{'wss' if site.scheme == 'https' else 'ws'}://{site.netloc}"
    media = urlsplit(media_url)
    media_origin = [f"{media.scheme}://{media.netloc}"] if media.netloc else []
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *media_origin],
        "connect-src": ["'self'", socket],
        # Named although default-src covers them: the service worker (/sw.js) and the manifest
        # come from this site only, whatever default-src becomes.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that has none of its own (private files set theirs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in {404, 500}:
            return response  # Django's debug pages style and script themselves inline
        policy = content_security_policy(settings.SITE_URL, settings.MEDIA_URL)
        response.headers.setdefault("Content-Security-Policy", policy)
        return response


class HtmxVaryMiddleware:
    """Marks an answer to htmx as varying on ``HX-Request``.

    A page that answers htmx with part of itself (a search's results) has the same address as
    the whole page, which htmx pushes into the history. Without ``Vary`` the browser keeps the
    part under that address and shows it, unstyled and untitled, when the member comes back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "htmx", False):
            patch_vary_headers(response, ("HX-Request",))
        return response
