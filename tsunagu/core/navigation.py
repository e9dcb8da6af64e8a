"""What the layout's header shows, filled by the apps in their ``ready()``.

core draws the header (``templatetags/layout.py``) and knows no feature: each app says here which
link it adds to a network's navigation, which count the header shows (the bell, a badge beside a
link) and which cache entries those read, so that the header reads all of them in one round trip.

- ``add_link(Link(...))``: a link of the network's navigation, in ``order``; its address is
  ``network_links[key]`` (``core/urls_cache.py``). ``when``: shown only while it reads non-zero.
- ``set_bell(Count(...))``: the count of the bell beside the member's menu.
- ``set_networks(Networks(...))``: the visitor's networks listed in their menu.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

# The request, the network and the membership of a member's page (never None here).
KeysOf = Callable[[Any, Any, Any], list[str]]


@dataclass(frozen=True)
class Count:
    """A number the header shows. ``keys`` names the cache entries ``read`` looks in (``found``,
    what the header read of all of them at once); ``read`` gets the template context too."""

    keys: KeysOf
    read: Callable[[Any, Any, Any, dict[str, Any]], int]  # (context, network, membership, found)


@dataclass(frozen=True)
class Networks:
    """The visitor's networks as the menu lists them (dicts with ``id``, ``url``, ``name`` and
    ``brand_color``), read like a Count: ``keys(user_id)``, then ``read(user, found)``."""

    keys: Callable[[int], list[str]]
    read: Callable[[Any, dict[str, Any]], list[dict[str, Any]]]


def exact(path: str, href: str) -> bool:
    return path == href


def under(path: str, href: str) -> bool:
    return href in path


def never(path: str, href: str) -> bool:
    return False


def containing(fragment: str) -> Callable[[str, str], bool]:
    """Current on any page whose address holds ``fragment`` (say ``/manage/``)."""

    def current(path: str, href: str) -> bool:
        return fragment in path

    return current


def everyone(membership: Any) -> bool:
    return True


@dataclass(frozen=True)
class Link:
    key: str  # in network_links
    label: str | Promise  # gettext_lazy: shown in the page's language
    order: int
    # Whether the page at ``path`` is under the link (``aria-current``).
    current: Callable[[str, str], bool] = under
    shown: Callable[[Any], bool] = everyone  # for this membership
    # A number beside the label, and the attribute by which the page's script updates it.
    count: Count | None = None
    count_attribute: str = ""
    # Whether the network shows the link at all, read per request like a count (non-zero:
    # shown), for a link that leads nowhere until something exists (a link between networks).
    when: Count | None = None


_links: dict[str, Link] = {}
_bell: list[Count] = []
_networks: list[Networks] = []


def add_link(link: Link) -> None:
    _links[link.key] = link


def links() -> list[Link]:
    return sorted(_links.values(), key=lambda link: link.order)


def set_bell(count: Count) -> None:
    _bell[:] = [count]


def bell() -> Count | None:
    return _bell[0] if _bell else None


def set_networks(networks: Networks) -> None:
    _networks[:] = [networks]


def networks() -> Networks | None:
    return _networks[0] if _networks else None


def header_keys(request: Any, network: Any, membership: Any) -> list[str]:
    """Every cache entry the header reads for this request."""
    keys: list[str] = []
    menu = networks()
    if menu is not None:
        keys += menu.keys(request.user.pk)
    if network is not None and membership is not None:
        counts = [bell(), *(link.count for link in links()), *(link.when for link in links())]
        for count in counts:
            if count is not None:
                keys += count.keys(request, network, membership)
    return keys
