"""The offboarding hook: an HR system announces leavers; invitations go out on the leaving date.

``POST`` one leaver (a JSON object, or form fields: the first version) or ``{"leavers": [...]}``
(up to 500, a result per leaver); ``DELETE`` ``{"external_id": ...}`` or ``{"email": ...}`` to
retract one still scheduled. An ``Idempotency-Key`` header makes a retried call answer as the
first did. The OpenAPI description is at ``/api/offboarding/openapi.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tsunagu.tenancy.models import Network

from .. import actions, hook

OPENAPI = Path(__file__).resolve().parent.parent / "openapi" / "offboarding.json"
MAX_BODY = 2 * 1024 * 1024  # 500 leavers fit with room to spare


def openapi(request: HttpRequest) -> HttpResponse:
    """The hook's description for the HR system's developers (public, like the hook's docs)."""
    return HttpResponse(OPENAPI.read_bytes(), content_type="application/json")


@csrf_exempt
def offboarding(request: HttpRequest, network_slug: str) -> JsonResponse:
    network = request.network  # type: ignore[attr-defined]
    if request.method not in ("POST", "DELETE"):
        return JsonResponse({"error": _("Use POST or DELETE.")}, status=405)
    header = request.headers.get("Authorization", "")
    key = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not actions.api_key_matches(network, key):
        return JsonResponse(
            {"error": _("Missing or wrong API key (Authorization: Bearer …).")}, status=401
        )
    if len(request.body) > MAX_BODY:
        return JsonResponse({"error": _("The body is larger than 2 MB.")}, status=413)
    idempotency_key = request.headers.get("Idempotency-Key", "").strip()
    if not idempotency_key:
        status, answer = _answer(request, network)
        return JsonResponse(answer, status=status)
    started = hook.begin_call(
        network, idempotency_key, hook.call_digest(request.method, request.body)
    )
    if isinstance(started, tuple):
        status, answer = started
        return JsonResponse(answer, status=status)
    try:
        status, answer = _answer(request, network)
    except BaseException:
        started.delete()  # nothing was answered: the same key may be tried again
        raise
    hook.finish_call(started, status, answer)
    return JsonResponse(answer, status=status)


def _answer(request: HttpRequest, network: Network) -> tuple[int, dict[str, Any]]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return 400, {"error": _("The body is not valid JSON.")}
    elif request.method == "POST":
        data = request.POST.dict()
    else:
        return 400, {"error": _("Send the leaver to retract as JSON.")}
    if not isinstance(data, dict):
        return 400, {"error": _("Send one JSON object.")}
    if request.method == "DELETE":
        try:
            return 200, hook.retract(
                network,
                external_id=str(data.get("external_id") or "")[:100],
                email=str(data.get("email") or "")[:254],
            )
        except hook.Refused as refusal:
            return refusal.status, {"error": str(refusal)}
    if "leavers" in data:
        leavers = data["leavers"]
        if not isinstance(leavers, list) or not leavers:
            return 400, {"error": _("“leavers” must be a list of leavers.")}
        if len(leavers) > hook.MAX_BATCH:
            return 400, {
                "error": _("Send at most %(max)d leavers at once; this batch has %(count)d.")
                % {"max": hook.MAX_BATCH, "count": len(leavers)}
            }
        results = hook.receive_batch(network, leavers)
        rejected = sum(1 for r in results if r["status"] == "rejected")
        return 200, {"results": results, "accepted": len(results) - rejected, "rejected": rejected}
    # One leaver, as the first version of the hook took it.
    try:
        result = hook.receive_one(network, data)
    except hook.InvalidLeaver as invalid:
        return 400, {"error": _("Some fields are not valid."), "fields": invalid.fields}
    except hook.Refused as refusal:
        return refusal.status, {"error": str(refusal)}
    return (201 if result.pop("created", False) else 200), result
