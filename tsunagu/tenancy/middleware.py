from __future__ import annotations

import re
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django_scopes import scope, scopes_disabled

from .cache import network_by_slug
from .converters import NetworkSlugConverter
from .models import Network

NETWORK_PATH = re.compile(rf"^/n/(?P<slug>{NetworkSlugConverter.regex})/")


def get_network_by_slug(slug: str) -> Network:
    network = network_by_slug(slug)
    if network is None:
        raise Http404("No such network")
    return network


class NetworkMiddleware:
    """Resolves the network of a /n/<slug>/ request and opens its scope for the whole request.

    Outside a network (the landing page, account pages) no scope is active, so a query on
    network-owned data fails instead of leaking. Only the site admin works unscoped.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.network = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        path = request.path_info
        match = NETWORK_PATH.match(path)
        if match:
            network = get_network_by_slug(match["slug"])
            request.network = network  # type: ignore[attr-defined]
            with scope(network=network):
                return self.get_response(request)
        if path.startswith("/admin/"):
            with scopes_disabled():
                return self.get_response(request)
        return self.get_response(request)
