"""The network a visitor is on the way to, for the sign-up, log-in and e-mail verification
pages: they carry its public brand (name, logo, colour) instead of the site's.

The network is read only from the page the visitor is sent on to afterwards (``next``: a path
under ``/n/<slug>/``, an invitation's included) and must be active. Nothing else of it is read,
and any doubt about the address (another site, a ``..`` segment, an encoded slash) gives the
site's own brand: these pages answer anybody, signed in or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.http import HttpRequest

from .cache import network_by_slug
from .converters import NetworkSlugConverter

NEXT_MAX = 2000
NETWORK_PATH = re.compile(rf"/n/(?P<slug>{NetworkSlugConverter.regex})(?:/|$)")
# Characters a browser would read otherwise than Django: "\" is a "/" to it, and a space or a
# control character may be dropped from an address before it is followed.
UNSAFE = re.compile(r"[\\\x00-\x20\x7f]")


@dataclass(frozen=True)
class EntryBrand:
    """What anyone may see of a network on its way in."""

    slug: str
    name: str
    color: str
    logo_url: str


def network_path_slug(target: str) -> str | None:
    """The slug of the network a ``next`` value leads to, or None when it is not plainly a path
    of this site under /n/<slug>/."""
    if not isinstance(target, str) or not target or len(target) > NEXT_MAX:
        return None
    if UNSAFE.search(target) or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path
    decoded = unquote(path)
    if decoded.count("/") != path.count("/") or UNSAFE.search(decoded):
        return None  # an encoded "/" or "\\" would move the slug when a browser follows it
    segments = decoded.split("/")
    if "." in segments or ".." in segments:
        return None  # /n/a/../b/ leads to b, or to no network at all
    match = NETWORK_PATH.match(path)
    return match["slug"] if match else None


def entry_brand_for(target: str) -> EntryBrand | None:
    """The public brand of the active network ``target`` leads to, or None."""
    slug = network_path_slug(target)
    if slug is None:
        return None
    network = network_by_slug(slug)  # active networks only
    if network is None:
        return None
    return EntryBrand(
        slug=network.slug,
        name=network.name,
        color=network.brand_color,
        logo_url=network.logo.url if network.logo else "",
    )


def next_of(request: HttpRequest) -> str:
    """The ``next`` the page was given: in the form it posts, or in its address."""
    value = request.POST.get("next") if request.method == "POST" else None
    return value or request.GET.get("next") or ""


def entry_brand(request: HttpRequest) -> EntryBrand | None:
    """The brand for this request's page, read once per request."""
    if not hasattr(request, "_entry_brand"):
        request._entry_brand = entry_brand_for(next_of(request))  # type: ignore[attr-defined]
    brand: EntryBrand | None = request._entry_brand  # type: ignore[attr-defined]
    return brand
