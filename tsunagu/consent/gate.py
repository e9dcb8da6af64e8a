"""The re-consent gate: after a network publishes a new version, a member's next request to
its pages is sent to the policy page until they accept it.

It runs inside `member_required` (`tenancy/decorators.py`; `apps.py` registers it through
`tenancy/gates.py`), where the membership is already loaded, and compares two numbers that came
with the cached network and membership (`versions.py`): no query. Pages outside a network
(log-out, language, account pages, static files) never reach it; inside one, views marked
`consent_exempt` (the policy pages themselves) stay open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from tsunagu.tenancy.models import Membership, Network

from .versions import must_accept

V = TypeVar("V", bound=Callable[..., Any])


def consent_exempt(view: V) -> V:
    """Keeps a member page open to a member who has not accepted the current version."""
    view.consent_exempt = True  # type: ignore[attr-defined]
    return view


def _wants_json(request: HttpRequest) -> bool:
    if "/api/" in request.path_info:
        return True
    accept = request.headers.get("Accept", "")
    return accept.split(",")[0].strip().startswith("application/json")


def consent_gate(
    request: HttpRequest, view: Callable[..., Any], network: Network, membership: Membership
) -> HttpResponseBase | None:
    """The answer that stops the request, or None to let it through."""
    if getattr(view, "consent_exempt", False) or not must_accept(network, membership):
        return None
    url = reverse("consent:policy", kwargs={"network_slug": network.slug})
    if _wants_json(request):
        return JsonResponse(
            {
                "error": _("Please read and accept the network's new privacy policy first."),
                "policy_url": url,
            },
            status=403,
        )
    if request.method == "GET":
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)
