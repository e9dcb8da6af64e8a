"""Operators invite: segments of the roster by e-mail, personal links with a QR code; members
propose people they know."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tsunagu.tenancy.decorators import member_required, operator_required
from tsunagu.tenancy.requests import NetworkRequest

from .. import actions
from ..access import (
    access_invitation,
    access_link,
    check_member_invite_permission,
    filter_invitations,
    invitation_needs_approval,
    settings_of,
)
from ..forms import DoNotInviteForm, LinkForm, MemberInviteForm, SegmentForm
from ..mails import invitation_message
from ..models import DoNotInvite, Invitation, InvitationStatus, InviteLink

NOT_YET_INVITED = (InvitationStatus.NEW, InvitationStatus.FAILED)


def segment_of(data: object) -> tuple[SegmentForm, dict[str, object]]:
    form = SegmentForm(data)  # type: ignore[arg-type]
    segment: dict[str, object] = {}
    if form.is_valid():
        segment = {
            "status": form.cleaned_data["status"] or "",
            "left_within_months": form.cleaned_data["left_within"],
            "department": form.cleaned_data["department"] or "",
            "q": form.cleaned_data["q"] or "",
        }
    return form, segment


@operator_required
def invitations(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form, segment = segment_of(request.GET)
    qs = filter_invitations(member.network, **segment)  # type: ignore[arg-type]
    page = Paginator(qs.select_related("invited_by__user"), 50).get_page(request.GET.get("page"))
    counts = dict(
        Invitation.objects.filter(network=member.network)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    sendable = qs.filter(status__in=NOT_YET_INVITED).count()
    # The mail the first person of the segment would get, as it will be sent.
    first = qs.filter(status__in=NOT_YET_INVITED).select_related("network").first()
    preview = None
    if first is not None:
        subject, body = invitation_message(first)
        # The person's own links are theirs: the preview shows where they go, not the key.
        preview = (subject, body.replace(first.token, "…"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "onboarding/invitations.html",
        {
            "form": form,
            "page": page,
            "counts": [
                (value, label, counts.get(value, 0)) for value, label in InvitationStatus.choices
            ],
            "sendable": sendable,
            "preview": preview,
            "preview_to": first.email if first is not None else "",
            "query": query,
            "do_not_invite": DoNotInvite.objects.filter(network=member.network).count(),
            "do_not_invite_form": DoNotInviteForm(),
        },
    )


@operator_required
@require_POST
def send_segment(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form, segment = segment_of(request.POST)
    target = f"{reverse('onboarding:invitations', kwargs={'network_slug': member.network.slug})}"
    if not form.is_valid():
        messages.error(request, _("Choose a valid segment."))
        return redirect(target)
    qs = filter_invitations(member.network, **segment).filter(status__in=NOT_YET_INVITED)  # type: ignore[arg-type]
    count = actions.do_send_invitations(member, list(qs.only("pk", "network_id", "status")))
    if count:
        messages.success(
            request,
            _("%(count)d invitations are being sent, %(rate)d a minute.")
            % {"count": count, "rate": settings.INVITATION_EMAILS_PER_MINUTE},
        )
    else:
        messages.info(request, _("Nobody in this segment is waiting for an invitation."))
    query = urlencode({k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken" and v})
    return redirect(f"{target}?{query}" if query else target)


@operator_required
@require_POST
def invitation_action(request: NetworkRequest, invitation_id: int) -> HttpResponse:
    member = request.membership
    invitation = access_invitation(member, invitation_id)
    action = request.POST.get("action")
    if action in ("send", "approve"):
        if actions.do_send_invitations(member, [invitation]):
            messages.success(
                request,
                _("The invitation is being sent to %(email)s.") % {"email": invitation.email},
            )
        else:
            messages.error(request, _("This invitation can no longer be sent."))
    elif action == "revoke":
        if actions.do_revoke_invitations(member, [invitation]):
            messages.success(request, _("The invitation has been revoked."))
        else:
            messages.error(request, _("This invitation can no longer be revoked."))
    else:
        messages.error(request, _("Unknown action."))
    return redirect(back_to(request, "onboarding:invitations"))


def back_to(request: NetworkRequest, default: str) -> str:
    """The page the form came from, if it is a page of this network; else ``default``."""
    slug = request.membership.network.slug
    target = request.POST.get("next", "")
    if target.startswith(f"/n/{slug}/") and "//" not in target and "\\" not in target:
        return target
    return reverse(default, kwargs={"network_slug": slug})


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, dark="#1a1a1a", light="#ffffff")


def link_url(link: InviteLink) -> str:
    return settings.SITE_URL + reverse(
        "onboarding:accept_link",
        kwargs={"network_slug": link.network.slug, "invite_token": link.token},
    )


@operator_required
def links(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_create_link(
            member,
            label=form.cleaned_data["label"],
            role=form.cleaned_data["role"],
            max_uses=form.cleaned_data["max_uses"],
            expires_at=form.expires_at(),
        )
        messages.success(request, _("The link has been created. Share it or its QR code."))
        return redirect("onboarding:links", network_slug=member.network.slug)
    rows = []
    for link in InviteLink.objects.filter(network=member.network)[:50]:
        link.network = member.network
        url = link_url(link)
        rows.append(
            {
                "link": link,
                "url": url,
                "qr": mark_safe(qr_svg(url)) if link.is_usable else "",  # noqa: S308 - segno's SVG
                "problem": actions.link_problem(link),
            }
        )
    return render(
        request,
        "onboarding/links.html",
        {"form": form, "rows": rows},
        status=400 if request.method == "POST" else 200,
    )


@operator_required
@require_POST
def link_revoke(request: NetworkRequest, link_id: int) -> HttpResponse:
    member = request.membership
    link = access_link(member, link_id)
    actions.do_revoke_link(member, link)
    messages.success(request, _("The link has been revoked; it no longer lets anyone in."))
    return redirect("onboarding:links", network_slug=member.network.slug)


@member_required
def member_invite(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    settings_row = settings_of(member.network)
    try:
        check_member_invite_permission(member, settings_row)
    except PermissionDenied:
        return render(
            request,
            "onboarding/member_invite.html",
            {"form": None, "not_allowed": True},
            status=403,
        )
    form = MemberInviteForm(request.POST or None)
    needs_approval = invitation_needs_approval(member, settings_row)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_member_invite(
                member,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            if needs_approval:
                messages.success(
                    request, _("Thank you. The office will check your invitation and send it.")
                )
            else:
                messages.success(request, _("Thank you. The invitation is on its way."))
            return redirect("onboarding:member_invite", network_slug=member.network.slug)
    return render(
        request,
        "onboarding/member_invite.html",
        {"form": form, "needs_approval": needs_approval},
        status=400 if request.method == "POST" else 200,
    )


@operator_required
@require_POST
def do_not_invite(request: NetworkRequest) -> HttpResponse:
    """Operators add addresses to the do-not-invite list, or take them off it."""
    member = request.membership
    form = DoNotInviteForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("addresses", []):
            messages.error(request, str(error))
        return redirect(back_to(request, "onboarding:invitations"))
    addresses = form.cleaned_data["addresses"]
    if request.POST.get("action") == "remove":
        count = actions.do_unblock_addresses(member, addresses)
        messages.success(
            request,
            ngettext(
                "%(count)d address was taken off the list.",
                "%(count)d addresses were taken off the list.",
                count,
            )
            % {"count": count},
        )
    else:
        count = actions.do_block_addresses(member, addresses)
        messages.success(
            request,
            ngettext(
                "%(count)d address was added to the list. It will not be invited.",
                "%(count)d addresses were added to the list. They will not be invited.",
                count,
            )
            % {"count": count},
        )
    return redirect(back_to(request, "onboarding:invitations"))
