"""The layout's header and footer: templates (``core/_header.html``, ``core/_footer.html``)
rendered once per process for each network, language, role and section of the site, and filled
per request (core/shared.py's holes).

Every page carries them, and through the template engine they cost about as much as a light
page's own content; filled from a kept block they cost a regular-expression pass. What the
header lists inside a network (its links, the bell, the counts, the visitor's networks) comes
from ``core/navigation.py``, which the apps fill in, so core names no feature.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from tsunagu.core import caching, navigation, shared

from .tsunagu import initials

register = template.Library()


def page_token(request: Any) -> str:
    """One masked CSRF token for every form of the page: the layout's, the page's own and the
    htmx header (masking draws 32 random characters each time)."""
    token = getattr(request, "_page_csrf_token", None)
    if token is None:
        token = request._page_csrf_token = get_token(request)
    return str(token)


@register.simple_tag(takes_context=True)
def page_csrf_token(context: Any) -> str:
    return page_token(context["request"])


def read_with_layout(request: Any, keys: list[str]) -> dict[str, Any]:
    """The view's own cache entries ``keys`` and the header's, read in one round trip; the
    header then reads nothing more. For a member's page of a network (request.membership)."""
    header = navigation.header_keys(request, request.network, request.membership)
    found = caching.read_many([*keys, *header])
    request._layout_found = found
    return found


def _prefetch(request: Any, network: Any, membership: Any) -> dict[str, Any]:
    """Everything the header reads from the cache, in one call: the bell, the talk total and
    the visitor's networks (nothing, when the view read them already: read_with_layout())."""
    found = getattr(request, "_layout_found", None)
    if found is not None:
        return found
    return caching.read_many(navigation.header_keys(request, network, membership))


def _subnav(path: str, links: dict[str, str], membership: Any) -> list[dict[str, Any]]:
    """The network's navigation as this member sees it on the page at ``path``."""
    return [
        {
            "key": link.key,
            "label": link.label,
            "href": links[link.key],
            "current": link.current(path, links[link.key]),
            "counted": link.count is not None,
            "conditional": link.when is not None,
            "count_attribute": link.count_attribute,
        }
        for link in navigation.links()
        if link.shown(membership)
    ]


def _header_block(context: Any, signed_in: bool, member: bool) -> shared.Block:
    """The header with holes, kept under everything it shows: the network's name, address and
    logo, the language, the links the member's role shows and which of them is current."""
    request, network = context["request"], context.get("network")
    site, links = context["site_links"], context.get("network_links") or {}
    subnav = _subnav(request.path, links, context.get("membership")) if member else []
    bell = member and navigation.bell() is not None
    key: tuple[Any, ...] = ("header", get_language(), signed_in, bell)
    if network is not None:
        key += (network.pk, network.slug, network.name, network.logo.name if network.logo else "")
    key += tuple((link["key"], link["current"]) for link in subnav)

    def build() -> shared.Block:
        html = render_to_string(
            "core/_header.html",
            {
                "network": network,
                "network_url": network.get_absolute_url() if network is not None else "",
                "logo_url": network.logo.url if network is not None and network.logo else "",
                "site": site,
                "links": links,
                "signed_in": signed_in,
                "bell": bell,
                "subnav": subnav,
            },
        )
        return shared.Block(html)

    return shared.kept(key, build)


def _networks_menu(user: Any, network: Any, found: dict[str, Any]) -> SafeString:
    """The visitor's networks in their menu, kept under what it lists."""
    menu = navigation.networks()
    listed = menu.read(user, found) if menu is not None else []
    current = network.pk if network is not None else None
    key = (
        "networks",
        get_language(),
        current,
        tuple((n["id"], n["url"], n["name"], n["brand_color"]) for n in listed),
    )
    return shared.kept(
        key,
        lambda: render_to_string(
            "core/_my_networks.html", {"networks": listed, "current": current}
        ),
    )


class _Counts:
    """The header's numbers for this request, each read once: the bell's and each link's."""

    def __init__(self, context: Any, network: Any, membership: Any, found: dict[str, Any]):
        self.context, self.network, self.membership, self.found = (
            context,
            network,
            membership,
            found,
        )
        self.read: dict[str, int] = {}

    def count(self, key: str) -> int:
        if key not in self.read:
            counter = navigation.bell() if key == "bell" else _counter_of(key)
            self.read[key] = (
                counter.read(self.context, self.network, self.membership, self.found)
                if counter is not None
                else 0
            )
        return self.read[key]

    def hidden(self, key: str) -> str:
        return "" if self.count(key) else "hidden"

    def shown(self, key: str) -> bool:
        """Whether the network shows the link ``key`` now (its ``when``)."""
        condition = _link_of(key)
        if condition is None or condition.when is None:
            return True
        return bool(condition.when.read(self.context, self.network, self.membership, self.found))


def _link_of(key: str) -> navigation.Link | None:
    for link in navigation.links():
        if link.key == key:
            return link
    return None


def _counter_of(key: str) -> navigation.Count | None:
    link = _link_of(key)
    return link.count if link is not None else None


@register.simple_tag(takes_context=True)
def layout_header(context: Any) -> SafeString:
    request = context["request"]
    network, membership = context.get("network"), context.get("membership")
    # A request refused before AuthenticationMiddleware (a disallowed host, a NUL byte) has no
    # user: its 400 page gets the anonymous header.
    user: Any = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    member = signed_in and network is not None and membership is not None
    header = _header_block(context, signed_in, member)
    if not signed_in:
        return header.fill({}, where="header")
    found = _prefetch(request, network, membership)
    counts = _Counts(context, network, membership, found)
    resolvers: dict[str, shared.Resolver] = {
        "csrf": lambda: page_token(request),
        "count": counts.count,
        "hidden": counts.hidden,
        "shown": counts.shown,
        "user": lambda part: initials(user.name) if part == "initials" else user.name,
        "networks": lambda: _networks_menu(user, network, found),
    }
    return header.fill(resolvers, where="header")


@register.simple_tag(takes_context=True)
def layout_footer(context: Any) -> SafeString:
    request = context["request"]
    site = context["site_links"]
    footer = shared.kept(
        ("footer", get_language(), site["set_language"]),
        lambda: shared.Block(
            render_to_string("core/_footer.html", {"site": site, "languages": settings.LANGUAGES})
        ),
    )
    resolvers: dict[str, shared.Resolver] = {
        "csrf": lambda: page_token(request),
        "next": request.get_full_path,
    }
    return footer.fill(resolvers, where="footer")
