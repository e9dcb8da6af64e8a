from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe, and the benchmarks' floor: the shortest answer through every middleware."""
    return HttpResponse("ok", content_type="text/plain")
