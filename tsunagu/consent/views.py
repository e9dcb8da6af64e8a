"""The member's policy page and the operators' versions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.tenancy.decorators import member_required, operator_required
from tsunagu.tenancy.models import Membership, Status
from tsunagu.tenancy.requests import NetworkRequest

from .access import check_manage_policy_permission
from .actions import current_policy, do_accept_policy, do_publish_policy, do_save_draft, draft_of
from .forms import DraftForm, PublishForm
from .gate import consent_exempt
from .models import Consent, PolicyVersion
from .versions import must_accept


def _next(request: NetworkRequest) -> str:
    """Where to go after accepting: back to the page the gate stopped, if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    home = request.network.get_absolute_url()
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe and target.startswith(home) else home


@member_required
@consent_exempt
def policy(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    problem = ""
    if request.method == "POST":
        try:
            number = int(request.POST.get("version", ""))
        except ValueError:
            number = None
        try:
            do_accept_policy(member, number)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(request, _("Thank you. You accepted the privacy policy."))
            return redirect(_next(request))
    current = current_policy(member.network)
    history = list(
        Consent.objects.filter(membership=member)
        .select_related("version")
        .order_by("-accepted_at", "-id")
    )
    accepted = {c.version_id for c in history}
    return render(
        request,
        "consent/policy.html",
        {
            "current": current,
            "needs_accepting": current is not None and current.pk not in accepted,
            "gated": must_accept(request.network, member),
            "history": history,
            "problem": problem,
            "next": _next(request),
        },
        status=409 if problem else 200,
    )


def version_counts(member: Membership) -> list[PolicyVersion]:
    """Every published version with how many of today's active members accepted it and how
    many active members there are: one statement."""
    active = (
        Membership.objects.filter(network_id=OuterRef("network_id"), status=Status.ACTIVE)
        .order_by()
        .values("network_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return list(
        PolicyVersion.objects.filter(network_id=member.network_id, number__isnull=False)
        .select_related("published_by")
        .annotate(
            accepted=Count(
                "consents", filter=Q(consents__membership__status=Status.ACTIVE), distinct=True
            ),
            members=Coalesce(Subquery(active), 0, output_field=IntegerField()),
        )
        .order_by("-number")
    )


@operator_required
@consent_exempt
def manage(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    check_manage_policy_permission(member)
    return render(
        request,
        "consent/manage.html",
        {"versions": version_counts(member), "draft": draft_of(member.network)},
    )


@operator_required
@consent_exempt
def draft(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    check_manage_policy_permission(member)
    existing = draft_of(member.network)
    if existing is None:
        # A new draft starts from the current text: most changes are small.
        current = current_policy(member.network)
        initial = {"purpose": current.purpose, "policy": current.policy} if current else {}
        form = DraftForm(request.POST or None, initial=initial)
    else:
        form = DraftForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        do_save_draft(
            member, purpose=form.cleaned_data["purpose"], policy=form.cleaned_data["policy"]
        )
        messages.success(request, _("The draft was saved. Check the preview below."))
        return redirect("consent:draft", network_slug=member.network.slug)
    return render(
        request,
        "consent/draft.html",
        {"form": form, "draft": existing, "publish_form": PublishForm()},
        status=400 if request.method == "POST" else 200,
    )


@operator_required
@consent_exempt
@require_POST
def publish(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    check_manage_policy_permission(member)
    form = PublishForm(request.POST)
    existing = draft_of(member.network)
    if form.is_valid():
        try:
            version = do_publish_policy(member)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Version %(number)s is published. Members will be asked to accept it.")
                % {"number": version.number},
            )
            return redirect("consent:manage", network_slug=member.network.slug)
    return render(
        request,
        "consent/draft.html",
        {"form": DraftForm(instance=existing), "draft": existing, "publish_form": form},
        status=400,
    )
