from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from tsunagu.notify.tokens import read_token
from tsunagu.tenancy.decorators import operator_required
from tsunagu.tenancy.models import Membership, Network, Status
from tsunagu.tenancy.requests import NetworkRequest

from .access import access_previewed_member, is_digest_token, search_members
from .actions import do_preview_digest
from .mail import digest_context, subject_for, zone_of
from .models import Frequency
from .prefs import do_set_frequency


def _subject_in(member: Membership, network: Network, frequency: str) -> str:
    with translation.override(member.user.language or settings.LANGUAGE_CODE):
        return subject_for(network, frequency)


@operator_required
def preview(request: NetworkRequest) -> HttpResponse:
    """Shows the digest as a chosen member would receive it now; choosing is audited."""
    operator = request.membership
    network = operator.network
    query = request.GET.get("q", "")
    context: dict[str, object] = {
        "query": query,
        "found": list(search_members(operator, query)) if "q" in request.GET else None,
    }
    if request.GET.get("member"):
        member = access_previewed_member(operator, request.GET["member"])
        digest, frequency = do_preview_digest(operator, member)
        context.update(digest_context(network, digest, frequency))
        context.update(
            {
                "member": member,
                "frequency": frequency,
                "frequency_label": Frequency(frequency).label,
                "subject": _subject_in(member, network, frequency),
                "zone": zone_of(member.user.time_zone),
            }
        )
    return render(request, "digest/preview.html", context)


@csrf_exempt  # RFC 8058: mail clients POST the one-click unsubscribe without a session
def unsubscribe(request: HttpRequest, network_slug: str, token: str) -> HttpResponse:
    """GET shows what the link stops, with one button; POST stops it. No login needed."""
    network: Network = request.network  # type: ignore[attr-defined]
    data = read_token(token)
    if data is None or data.network_id != network.pk or not is_digest_token(data.kind):
        return render(request, "digest/unsubscribe.html", {"invalid": True}, status=400)
    if not Membership.objects.filter(
        network=network, user_id=data.user_id, status=Status.ACTIVE
    ).exists():
        return render(request, "digest/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        do_set_frequency(network, data.user_id, Frequency.OFF)
        done = True
    return render(request, "digest/unsubscribe.html", {"done": done})
