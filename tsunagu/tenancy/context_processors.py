from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tsunagu.core.urls_cache import network_links, site_links


def network(request: HttpRequest) -> dict[str, Any]:
    network = getattr(request, "network", None)
    return {
        "network": network,
        "membership": getattr(request, "membership", None),
        "site_links": site_links(),
        "network_links": network_links(network.slug) if network is not None else {},
    }
