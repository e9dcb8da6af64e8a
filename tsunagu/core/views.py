from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe, and the benchmarks' floor: the shortest answer through every middleware."""
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form that expired or lost its cookie: say so in the user's language, keep it calm."""
    from django.shortcuts import render

    return render(request, "403_csrf.html", status=403)
