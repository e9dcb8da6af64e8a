from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tsunagu.accounts.delivery import refusal_of
from tsunagu.tenancy.access import access_in_network
from tsunagu.tenancy.decorators import member_required
from tsunagu.tenancy.models import Network
from tsunagu.tenancy.requests import NetworkRequest

from .actions import do_mark_read, do_resume_email, do_save_preferences, do_set_email_preference
from .forms import field_name, read_choices, switch_name
from .kinds import CHANNEL_LABELS, CHANNELS, KINDS, Group, Kind, kinds_by_group
from .models import inbox
from .reads import choices_for
from .sections import sections
from .tokens import read_token

PAGE_SIZE = 30
# In the session: the member chose "later" on the notice that their address refuses mail.
MAILBOX_LATER = "mailbox_later"


@member_required
def notification_list(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    items = list(inbox(member.network, request.user.pk).select_related("actor")[:PAGE_SIZE])
    template = "notify/list.html"
    if request.htmx:
        template = "notify/fragment_dropdown.html"
    return render(request, template, {"notifications": items})


@member_required
@require_POST
def notification_open(request: NetworkRequest, notification_id: int) -> HttpResponse:
    member = request.membership
    notification = access_in_network(
        member, inbox(member.network, request.user.pk), notification_id
    )
    do_mark_read(member.network, request.user, [notification.pk])
    target = notification.url or member.network.get_absolute_url()
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = member.network.get_absolute_url()
    return HttpResponseRedirect(target)


@member_required
@require_POST
def notification_read_all(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    do_mark_read(member.network, request.user, None)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notify:list", network_slug=member.network.slug)


@member_required
def preferences(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    network = member.network
    if request.method == "POST" and "resume_email" in request.POST:
        do_resume_email(request.user)
        messages.success(request, _("E-mail to your address is resumed."))
        return redirect("notify:preferences", network_slug=network.slug)
    posted = request.POST if request.method == "POST" else None
    extra = [(section, section.form(member, posted)) for section in sections()]
    groups = kinds_by_group(member.role)
    # Every section's form is validated, so that each shows its errors.
    if posted is not None and all([form.is_valid() for _section, form in extra]):
        do_save_preferences(member, read_choices(request.POST, groups))
        for section, form in extra:
            section.save(member, form)
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notify:preferences", network_slug=network.slug)
    choices = choices_for(network, request.user.pk)
    if request.method == "POST":  # shown again with its error: what the member chose stays
        choices.update(read_choices(request.POST, groups))
    return render(
        request,
        "notify/preferences.html",
        {
            "tables": _tables(groups, choices),
            "channels": [(channel, CHANNEL_LABELS[channel]) for channel in CHANNELS],
            "refusal": refusal_of(request.user.email),
            "sections": [{"template": s.template, "form": form} for s, form in extra],
        },
    )


def _tables(
    groups: list[tuple[Group, list[Kind]]], choices: dict[str, dict[str, bool]]
) -> list[dict[str, Any]]:
    """One table per group: its switches (on when every row of the channel is) and its rows."""
    tables = []
    for group, kinds in groups:
        rows = [
            {
                "kind": kind,
                "cells": [
                    {
                        "name": field_name(kind, channel),
                        "switch": switch_name(group, channel),
                        "channel": CHANNEL_LABELS[channel],
                        "on": choices[kind.key][channel],
                    }
                    for channel in CHANNELS
                ],
            }
            for kind in kinds
        ]
        switches = [
            {
                "name": switch_name(group, channel),
                "channel": CHANNEL_LABELS[channel],
                "on": all(choices[kind.key][channel] for kind in kinds),
            }
            for channel in CHANNELS
        ]
        tables.append({"group": group, "switches": switches, "rows": rows})
    return tables


@member_required
@require_POST
def mailbox_later(request: NetworkRequest) -> HttpResponse:
    """Hides the notice that the member's address refuses mail until their next session."""
    request.session[MAILBOX_LATER] = True
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = request.membership.network.get_absolute_url()
    return HttpResponseRedirect(target)


@csrf_exempt  # RFC 8058: mail clients POST the one-click unsubscribe without a session
def unsubscribe(request: HttpRequest, network_slug: str, token: str) -> HttpResponse:
    """GET shows what the link stops, with one button; POST stops it. No login needed."""
    network: Network = request.network  # type: ignore[attr-defined]
    data = read_token(token)
    if data is None or data.network_id != network.pk or data.kind not in KINDS:
        return render(request, "notify/unsubscribe.html", {"invalid": True}, status=400)
    kind = KINDS[data.kind]
    done = False
    if request.method == "POST":
        from tsunagu.accounts.models import User

        user = get_object_or_404(User, pk=data.user_id)
        do_set_email_preference(network, user, kind.key, False)
        done = True
    return render(
        request,
        "notify/unsubscribe.html",
        {"kind": kind, "done": done},
    )
