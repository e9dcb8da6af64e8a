from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control, never_cache

from . import health


def livez(request: HttpRequest) -> HttpResponse:
    """Liveness probe, and the benchmarks' floor: the shortest answer through every middleware.
    It touches no other service, so a Redis outage does not make the process look dead."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Each service the site is configured with, and 503 when one of them is down."""
    checks = health.report()
    up = all(state in (health.OK, health.NOT_USED) for state in checks.values())
    return JsonResponse(
        {"status": health.OK if up else health.DOWN, "checks": checks},
        status=200 if up else 503,
        json_dumps_params={"indent": 2},
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form that expired or lost its cookie: say so in the user's language, keep it calm."""
    from django.shortcuts import render

    return render(request, "403_csrf.html", status=403)


BRAND_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


@cache_control(public=True, max_age=365 * 24 * 3600, immutable=True)
def brand_stylesheet(request: HttpRequest) -> HttpResponse:
    """A network's brand colour as a stylesheet (``?color=%231f5fa8``), for every page of it.

    The Content-Security-Policy allows no inline style; the address names the colour, so a
    browser keeps the answer until the colour changes.
    """
    color = request.GET.get("color", "")
    if not BRAND_COLOR.fullmatch(color):
        raise Http404
    return HttpResponse(f":root {{ --brand: {color.lower()}; }}\n", content_type="text/css")
