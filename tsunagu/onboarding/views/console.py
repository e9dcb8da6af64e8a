"""The operators' console: the funnel, the members table with bulk actions, the settings."""

from __future__ import annotations

from datetime import timedelta
from typing import cast
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tsunagu.accounts.delivery import refusals_of
from tsunagu.accounts.models import UndeliverableAddress
from tsunagu.profiles.indexing import filter_by_name
from tsunagu.tenancy.actions import do_change_role, do_change_status
from tsunagu.tenancy.decorators import operator_required
from tsunagu.tenancy.models import Membership, Role, Status
from tsunagu.tenancy.requests import NetworkRequest

from .. import actions
from ..access import settings_of
from ..forms import OnboardingSettingsForm
from ..models import Application, ApplicationStatus, Invitation, InvitationStatus, InviteLink
from .invitations import back_to

ACTIVE_DAYS = 30
LAST_ACTIVE = [
    ("7", gettext_lazy("In the last 7 days")),
    ("30", gettext_lazy("In the last 30 days")),
    ("90", gettext_lazy("In the last 90 days")),
    ("over90", gettext_lazy("Not for more than 90 days")),
    ("never", gettext_lazy("Never")),
]
INVITED = "invited"
UNDELIVERABLE = "undeliverable"


# Members whose address refused mail for good (the mail server's 5xx, or the provider's
# permanent bounce), who have not left: the console counts them, the members page lists them.
UNREACHABLE = Exists(
    UndeliverableAddress.objects.filter(email=Lower(OuterRef("user__email")))
) & ~Q(status=Status.LEFT)


def unreachable_count(network_id: int) -> int:
    return Membership.objects.filter(UNREACHABLE, network_id=network_id).count()


def funnel(network_id: int) -> dict[str, int]:
    """Invited → joined → active, from the invitations, in one query."""
    since = timezone.now() - timedelta(days=ACTIVE_DAYS)
    accepted = Q(status=InvitationStatus.ACCEPTED)
    figures = Invitation.objects.filter(network_id=network_id).aggregate(
        invited=Count("id", filter=Q(sent_at__isnull=False) | accepted),
        joined=Count("id", filter=accepted),
        active=Count(
            "id",
            filter=accepted
            & Q(membership__status=Status.ACTIVE, membership__last_seen_at__gte=since),
        ),
        waiting=Count("id", filter=Q(status__in=[InvitationStatus.NEW, InvitationStatus.FAILED])),
    )
    members = Membership.objects.filter(network_id=network_id, status=Status.ACTIVE).aggregate(
        total=Count("id"), active=Count("id", filter=Q(last_seen_at__gte=since))
    )
    link_uses = InviteLink.objects.filter(network_id=network_id).aggregate(n=Sum("uses"))["n"]
    invited = figures["invited"] or 0

    def share(n: int) -> int:
        return round(100 * n / invited) if invited else 0

    return {
        **figures,
        "joined_share": share(figures["joined"]),
        "active_share": share(figures["active"]),
        "members": members["total"],
        "members_active": members["active"],
        "link_uses": link_uses or 0,
    }


@operator_required
def console(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    network_id = member.network_id
    return render(
        request,
        "onboarding/console.html",
        {
            "funnel": funnel(network_id),
            "applications": Application.objects.filter(
                network_id=network_id, status=ApplicationStatus.PENDING
            ).count(),
            "proposals": Invitation.objects.filter(
                network_id=network_id, status=InvitationStatus.PROPOSED
            ).count(),
            "unreachable": unreachable_count(network_id),
            "undeliverable": UNDELIVERABLE,
            "active_days": ACTIVE_DAYS,
        },
    )


def _members(request: NetworkRequest) -> QuerySet[Membership]:
    qs = Membership.objects.filter(network=request.membership.network).select_related("user")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        named = filter_by_name(Membership.objects.filter(network=request.membership.network), q)
        qs = qs.filter(Q(pk__in=named.values("pk")) | Q(user__email__icontains=q))
    role = request.GET.get("role", "")
    if role in Role.values:
        qs = qs.filter(role=role)
    status = request.GET.get("status", "")
    if status in Status.values:
        qs = qs.filter(status=status)
    elif status == UNDELIVERABLE:
        qs = qs.filter(UNREACHABLE)
    now = timezone.now()
    seen = request.GET.get("seen", "")
    if seen in ("7", "30", "90"):
        qs = qs.filter(last_seen_at__gte=now - timedelta(days=int(seen)))
    elif seen == "over90":
        qs = qs.filter(last_seen_at__lt=now - timedelta(days=90))
    elif seen == "never":
        qs = qs.filter(last_seen_at__isnull=True)
    return qs.order_by("-created_at", "-id")


@operator_required
def members(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    status = request.GET.get("status", "")
    invited = status == INVITED
    if invited:
        q = request.GET.get("q", "").strip()[:100]
        qs = _open_invitations(member.network_id, q)
    else:
        qs = _members(request)  # type: ignore[assignment]
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    if not invited:
        # Whose address refused our mail: the server's answer, shown in their row.
        shown = cast("list[Membership]", list(page))
        refusals = refusals_of([m.user.email for m in shown])
        for m in shown:
            m.mail_refusal = refusals.get(m.user.email.lower())  # type: ignore[attr-defined]
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "onboarding/members.html",
        {
            "page": page,
            "invited": invited,
            "roles": Role.choices,
            "statuses": [
                *Status.choices,
                (INVITED, _("Invited, not joined yet")),
                (UNDELIVERABLE, _("E-mail does not reach them")),
            ],
            "last_active": LAST_ACTIVE,
            "current": {k: request.GET.get(k, "") for k in ("q", "role", "status", "seen")},
            "query": query,
            "has_mfa": Authenticator.objects.filter(user=request.user).exists(),
        },
    )


def _open_invitations(network_id: int, q: str) -> QuerySet[Invitation]:
    qs = Invitation.objects.filter(
        network_id=network_id,
        status__in=[InvitationStatus.SENT, InvitationStatus.FAILED, InvitationStatus.QUEUED],
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q.lower()))
    return qs.order_by("-sent_at", "-id")


BULK_ACTIONS = {"suspend", "remove", "reactivate", "resend", "revoke"} | {
    f"role:{r}" for r in Role.values
}
CONFIRMED_ACTIONS = {f"role:{Role.OPERATOR}", "remove"}


@operator_required
@require_POST
def members_bulk(request: NetworkRequest) -> HttpResponse:
    """One action on the chosen people, all or nothing."""
    member = request.membership
    action = request.POST.get("action", "")
    # ASCII digits that fit a key: "²".isdigit() is true, and int() of it fails in the query.
    ids = [v for v in request.POST.getlist("ids") if v.isascii() and v.isdigit() and len(v) <= 18]
    ids = ids[:500]
    target = back_to(request, "onboarding:members")
    if action not in BULK_ACTIONS:
        messages.error(request, _("Choose an action."))
        return redirect(target)
    if not ids:
        messages.error(request, _("Choose at least one person."))
        return redirect(target)
    if action in ("resend", "revoke"):
        chosen = list(Invitation.objects.filter(network=member.network, pk__in=ids))
        if action == "resend":
            count = actions.do_send_invitations(member, chosen)
            messages.success(
                request, _("%(count)d invitations are being sent again.") % {"count": count}
            )
        else:
            count = actions.do_revoke_invitations(member, chosen)
            messages.success(
                request, _("%(count)d invitations have been revoked.") % {"count": count}
            )
        return redirect(target)
    targets = list(
        Membership.objects.filter(network=member.network, pk__in=ids)
        .select_related("user")
        .order_by("-created_at", "-id")  # as the table shows them
    )
    if action in CONFIRMED_ACTIONS and request.POST.get("confirmed") != "1":
        # Giving the office's rights and removing someone are asked twice, with what they mean.
        return render(
            request,
            "onboarding/members_confirm.html",
            {"action": action, "targets": targets, "ids": [t.pk for t in targets], "next": target},
        )
    try:
        with transaction.atomic():
            for person in targets:
                person.network = member.network
                if action.startswith("role:"):
                    do_change_role(member, person, action.split(":", 1)[1])
                else:
                    status = {"suspend": Status.SUSPENDED, "remove": Status.LEFT}.get(
                        action, Status.ACTIVE
                    )
                    do_change_status(member, person, status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages) + " " + _("Nobody was changed."))
    else:
        messages.success(
            request, _("%(count)d members have been updated.") % {"count": len(targets)}
        )
    return redirect(target)


@operator_required
def onboarding_settings(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    row = settings_of(member.network)
    form = OnboardingSettingsForm(request.POST or None, instance=row)
    new_key = ""
    if request.method == "POST" and request.POST.get("action") == "new_key":
        new_key = actions.new_api_key(member)
        row.refresh_from_db()
        form = OnboardingSettingsForm(instance=row)
    elif request.method == "POST" and form.is_valid():
        actions.do_update_settings(member, form.save(commit=False))
        messages.success(request, _("The settings have been saved."))
        return redirect("onboarding:settings", network_slug=member.network.slug)
    return render(
        request,
        "onboarding/settings.html",
        {"form": form, "row": row, "new_key": new_key},
        status=400 if request.method == "POST" and not new_key else 200,
    )
