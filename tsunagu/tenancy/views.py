from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions
from .access import access_membership, check_leave_permission, get_membership, memberships_of
from .decorators import operator_required
from .forms import MemberChangeForm, NetworkSettingsForm
from .models import Status
from .requests import NetworkRequest


def landing(request: HttpRequest) -> HttpResponse:
    """The site's front door: a logged-in member goes to their network (or chooses one)."""
    if not request.user.is_authenticated:
        return render(request, "tenancy/landing.html")
    memberships = memberships_of(request.user)
    if len(memberships) == 1 and "choose" not in request.GET:
        return redirect(memberships[0].network.get_absolute_url())
    return render(request, "tenancy/choose_network.html", {"memberships": memberships})


def about(request: HttpRequest, network_slug: str) -> HttpResponse:
    """The network's public face: what it is and who may join. Never shows members."""
    network = request.network  # type: ignore[attr-defined]
    membership = get_membership(network, request.user)
    return render(request, "tenancy/about.html", {"viewer_membership": membership})


@operator_required
def manage_settings(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    network = member.network
    form = NetworkSettingsForm(request.POST or None, request.FILES or None, instance=network)
    if request.method == "POST" and form.is_valid():
        actions.do_update_network(member, form)
        messages.success(request, _("The network's settings have been saved."))
        return redirect("tenancy:manage_settings", network_slug=network.slug)
    return render(request, "tenancy/manage_settings.html", {"form": form})


@operator_required
def manage_members(request: NetworkRequest) -> HttpResponse:
    """The members page is the console's (onboarding): this address, once a page of its own,
    leads there with its filters, for bookmarks."""
    target = reverse("onboarding:members", kwargs={"network_slug": request.membership.network.slug})
    query = request.GET.urlencode()
    return redirect(f"{target}?{query}" if query else target)


@operator_required
@require_POST
def manage_member_change(request: NetworkRequest, membership_id: int) -> HttpResponse:
    member = request.membership
    target = access_membership(member, membership_id)
    form = MemberChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role and status."))
        return redirect("onboarding:members", network_slug=member.network.slug)
    try:
        actions.do_change_role(member, target, form.cleaned_data["role"])
        actions.do_change_status(member, target, form.cleaned_data["status"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s has been updated.") % {"name": target.user.name})
    return redirect("onboarding:members", network_slug=member.network.slug)


def leave(request: HttpRequest, network_slug: str) -> HttpResponse:
    """Leaving the network, by the member's own choice: what happens, then one button.

    Not behind member_required: a member who has just left is sent back here and told so. Who
    is not a member at all gets a 404; the last operator is told to hand over first."""
    network = request.network  # type: ignore[attr-defined]
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    membership = get_membership(network, request.user)
    if membership is None or membership.status == Status.PENDING:
        raise Http404
    membership.network = network
    if membership.status == Status.LEFT:
        # Sent here after leaving; a second press of the button (or a stale form) is told the
        # same, with a 404: there is nothing left to leave.
        context = {"left_by_choice": membership.left_by_choice}
        status = 404 if request.method == "POST" else 200
        return render(request, "tenancy/left.html", context, status=status)
    if membership.status != Status.ACTIVE:
        return render(
            request,
            "tenancy/membership_inactive.html",
            {"network": network, "membership_status": membership.get_status_display()},
            status=403,
        )
    request.membership = membership  # type: ignore[attr-defined]
    refusal = None
    try:
        check_leave_permission(membership)
    except ValidationError as error:
        refusal = " ".join(error.messages)
    if request.method == "POST" and refusal is None:
        try:
            actions.do_leave_network(membership)
        except ValidationError as error:  # another operator left meanwhile
            refusal = " ".join(error.messages)
        else:
            return redirect("tenancy:leave", network_slug=network.slug)
    status = 409 if request.method == "POST" else 200
    return render(request, "tenancy/leave.html", {"refusal": refusal}, status=status)
