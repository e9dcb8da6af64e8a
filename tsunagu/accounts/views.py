from __future__ import annotations

import base64
import hashlib
import hmac
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import delivery
from .bounces import BadNotification, read_notification
from .forms import AccountSettingsForm
from .middleware import set_language_cookie, set_time_zone_cookie

logger = logging.getLogger(__name__)


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or request.headers.get("referer")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switches the interface language and, for a logged-in user, remembers it for e-mails."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request))
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    set_language_cookie(request, response, language)
    return response


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    form = AccountSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.language)
        messages.success(request, _("Your settings have been saved."))
        response = HttpResponseRedirect(request.path)
        set_language_cookie(request, response, user.language)
        set_time_zone_cookie(request, response, user.time_zone)
        return response
    return render(request, "accounts/settings.html", {"form": form})


def _secret_given(request: HttpRequest) -> str:
    """The secret the caller sends: ``Authorization: Bearer <secret>``, or HTTP Basic with the
    secret as the password (Amazon SNS sends the user and password of the subscription's
    address so)."""
    scheme, _space, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode().partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return ""
    return ""


def _knows_secret(request: HttpRequest, secret: str) -> bool:
    # Digests of equal length, compared in constant time: the answer's timing tells nothing of
    # the secret, not even its length.
    given = hashlib.sha256(_secret_given(request).encode()).digest()
    return hmac.compare_digest(given, hashlib.sha256(secret.encode()).digest())


@csrf_exempt  # called by the mail provider, which holds the shared secret instead
def bounce_webhook(request: HttpRequest) -> HttpResponse:
    """The mail provider's bounce notifications (bounces.py): a permanent bounce marks the
    address as delivery.py marks one the mail server refused."""
    secret = settings.BOUNCE_WEBHOOK_SECRET
    if not secret:
        raise Http404  # not set up: the address does not exist
    if not _knows_secret(request, secret):
        answer = JsonResponse(
            {"error": _("Missing or wrong secret (Authorization: Bearer …).")}, status=401
        )
        answer["WWW-Authenticate"] = 'Basic realm="bounces", charset="UTF-8"'
        return answer
    if request.method != "POST":
        return JsonResponse({"error": _("Use POST.")}, status=405)
    try:
        notification = read_notification(request.body)
    except BadNotification as error:
        return JsonResponse({"error": str(error)}, status=400)
    if notification.subscribe_url:
        logger.warning(
            "Amazon SNS asks to confirm the bounce subscription: open %s",
            notification.subscribe_url,
        )
    permanent = {b.email: b.reason for b in notification.bounces if b.permanent}
    for address, reason in permanent.items():
        delivery.note_refusal(address, reason)
    return JsonResponse(
        {"marked": len(permanent), "ignored": len(notification.bounces) - len(permanent)}
    )
