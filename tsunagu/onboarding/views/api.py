"""The offboarding hook: an HR system announces a leaver; the invitation goes out on the
leaving date."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .. import actions
from ..forms import OffboardingForm


@csrf_exempt
def offboarding(request: HttpRequest, network_slug: str) -> JsonResponse:
    network = request.network  # type: ignore[attr-defined]
    if request.method != "POST":
        return JsonResponse({"error": _("Use POST.")}, status=405)
    header = request.headers.get("Authorization", "")
    key = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not actions.api_key_matches(network, key):
        return JsonResponse(
            {"error": _("Missing or wrong API key (Authorization: Bearer …).")}, status=401
        )
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return JsonResponse({"error": _("The body is not valid JSON.")}, status=400)
        if not isinstance(data, dict):
            return JsonResponse({"error": _("Send one JSON object.")}, status=400)
    else:
        data = request.POST.dict()
    form = OffboardingForm({k: v if isinstance(v, str) else str(v) for k, v in data.items()})
    if not form.is_valid():
        return JsonResponse(
            {"error": _("Some fields are not valid."), "fields": form.errors.get_json_data()},
            status=400,
        )
    try:
        invitation, created = actions.do_receive_leaver(network, form.cleaned_data)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=409)
    return JsonResponse(
        {
            "id": invitation.pk,
            "status": invitation.status,
            "send_on": invitation.send_on.isoformat() if invitation.send_on else None,
        },
        status=201 if created else 200,
    )
