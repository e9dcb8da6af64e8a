"""The person's privacy pages under /accounts/privacy/: their data to download, their account
to delete. Every page acts on the signed-in account only."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.accounts.models import User
from tsunagu.core.storage import file_response

from .access import access_export, next_export_at, pending_erasure
from .actions import do_cancel_erasure, do_request_export, do_schedule_erasure
from .forms import KEEP, ErasureForm
from .models import DataExport
from .session import note_erasure


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    exports = DataExport.objects.filter(user_id=user.pk).order_by("-requested_at")[:5]
    return render(
        request,
        "privacy/overview.html",
        {
            "exports": exports,
            "next_export_at": next_export_at(user),
            "erasure": pending_erasure(user),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def request_export(request: HttpRequest) -> HttpResponse:
    try:
        do_request_export(_user(request))
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(
            request,
            _("We are preparing your data. We will e-mail you a link when it is ready."),
        )
    return HttpResponseRedirect(reverse("privacy:overview"))


@login_required
def download(request: HttpRequest, export_id: int) -> HttpResponseBase:
    export = access_export(_user(request), export_id)
    if export.expires_at is None or not export.file:
        return render(request, "privacy/export_gone.html", {"export": export}, status=404)
    if export.expires_at <= timezone.now():
        return render(request, "privacy/export_gone.html", {"export": export}, status=410)
    name = f"tsunagu-{export.requested_at:%Y%m%d}.zip"
    return file_response(
        export.file,
        content_type="application/zip",
        filename=name,
        download=True,
        cache_control="private, no-store",
    )


@login_required
def delete(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ErasureForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        erasure = do_schedule_erasure(
            user,
            keep_posts=form.cleaned_data["posts"] == KEEP,
        )
        note_erasure(request, erasure)
        messages.success(request, _("Your account will be deleted. You can cancel until then."))
        return HttpResponseRedirect(reverse("privacy:delete"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "privacy/delete.html",
        {
            "form": form,
            "erasure": pending_erasure(user),
            "grace_days": settings.ERASURE_GRACE_DAYS,
        },
        status=status,
    )


@login_required
@require_POST
def cancel(request: HttpRequest) -> HttpResponse:
    if do_cancel_erasure(_user(request)) is not None:
        messages.success(request, _("The deletion of your account has been cancelled."))
    note_erasure(request, None)
    return HttpResponseRedirect(reverse("privacy:delete"))
