from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    RawPostDataException,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from .access import access_device, push_enabled
from .actions import SESSION_DEVICE, do_remove_device, do_subscribe, do_unsubscribe
from .devices import label_from_user_agent
from .forms import SubscriptionForm
from .icons import BACKGROUND_COLOR, ICONS, THEME_COLOR


def _refuse(message: str, status: int = 400, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _json_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answers a script signed out meanwhile with 403 and a message, not a login page; and 404
    while the site sends no pushes."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _refuse(_("Log in again to change notifications on this device."), 403)
        if not push_enabled():
            return _refuse(_("This site does not send notifications to devices."), 404)
        return view(request, *args, **kwargs)

    return wrapped


def _json_body(request: HttpRequest) -> Any:
    """The posted JSON; None for anything else (a form post, whose body is read already)."""
    if request.content_type != "application/json":
        return None
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError, RawPostDataException):
        return None


@require_POST
@_json_login_required
def subscribe(request: HttpRequest) -> HttpResponse:
    """The browser's PushSubscription, as JSON, from the devices block's script."""
    form = SubscriptionForm.from_json(_json_body(request))
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        first = next(iter(errors.values()))[0]
        return _refuse(first, errors=errors)
    data = form.cleaned_data
    device, new = do_subscribe(
        request.user,  # type: ignore[arg-type]
        endpoint=data["endpoint"],
        p256dh=data["p256dh"],
        auth=data["auth"],
        label=label_from_user_agent(request.headers.get("user-agent", "")),
    )
    request.session[SESSION_DEVICE] = device.pk
    return JsonResponse(
        {"message": _("This device will receive notifications.")}, status=201 if new else 200
    )


@require_POST
@_json_login_required
def unsubscribe(request: HttpRequest) -> HttpResponse:
    data = _json_body(request)
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if not isinstance(endpoint, str) or not endpoint:
        return _refuse(_("Which device? The browser sent no subscription."))
    if not do_unsubscribe(request.user, endpoint):  # type: ignore[arg-type]
        return _refuse(_("This device was not receiving notifications."), 404)
    return JsonResponse({"message": _("This device will no longer receive notifications.")})


@require_POST
@login_required
def remove_device(request: HttpRequest, subscription_id: int) -> HttpResponse:
    device = access_device(request.user, subscription_id)  # type: ignore[arg-type]
    do_remove_device(request.user, device)  # type: ignore[arg-type]
    messages.success(
        request,
        _("%(device)s will no longer receive notifications.")
        % {"device": device.label or _("The device")},
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("account_settings")
    return HttpResponseRedirect(target)


@require_GET
@cache_control(public=True, max_age=24 * 60 * 60)
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: what a phone needs to install the site as an app."""
    data = {
        "id": "/",
        "name": _("Tsunagu alumni networks"),
        "short_name": pgettext("app name on a home screen", "Tsunagu"),
        "description": _("The home of your company's alumni network."),
        "lang": get_language(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static(icon.path), "sizes": f"{icon.size}x{icon.size}", "type": "image/png",
             "purpose": icon.purpose}
            for icon in ICONS
            if icon.in_manifest
        ],
    }  # fmt: skip
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, at the root so that it may answer for every page (scope "/")."""
    from .worker import worker_config

    response = render(
        request,
        "push/sw.js",
        {"config": json.dumps(worker_config(), separators=(",", ":"))},
        content_type="text/javascript; charset=utf-8",
    )
    # Browsers look for a new worker at least daily; no cache in between may hold an old one.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the installed app shows without a connection. The service worker keeps it, so it
    holds nothing of the visitor: no name, no network, no token; it reads no session."""
    return render(request, "push/offline.html", {"theme_color": THEME_COLOR})
