from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def network(request: HttpRequest) -> dict[str, Any]:
    return {
        "network": getattr(request, "network", None),
        "membership": getattr(request, "membership", None),
    }
