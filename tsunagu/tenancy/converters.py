"""The one pattern of a network's slug in an address.

The page URLs (``<network:network_slug>``), the websocket routes and ``NetworkMiddleware`` all read
it from here: an address the URLs accept but the middleware does not recognise would reach a view
without its network.
"""

from __future__ import annotations

from django.urls.converters import StringConverter


class NetworkSlugConverter(StringConverter):
    # Every slug the model accepts (see ``slug_validator``) matches; one that matches but names
    # no network answers 404 in the middleware.
    regex = "[a-z0-9-]+"
