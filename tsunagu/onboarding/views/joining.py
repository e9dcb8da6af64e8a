"""Coming in: an invitation from an e-mail, a shared link, or an application to approve."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.views import SignupView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import resolve
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope, scopes_disabled

from tsunagu.consent.actions import current_policy
from tsunagu.consent.forms import AgreeForm
from tsunagu.consent.models import PolicyVersion
from tsunagu.tenancy.access import get_membership
from tsunagu.tenancy.decorators import operator_required
from tsunagu.tenancy.models import Network, Status
from tsunagu.tenancy.requests import NetworkRequest

from .. import actions
from ..access import (
    access_application,
    awaits_confirmation,
    check_accept_invitation_permission,
    join_refusal,
    operated_networks,
    settings_of,
)
from ..forms import ApplyForm, DecisionForm
from ..joins import join_page, pending_join_of
from ..models import Application, ApplicationStatus, Invitation, InvitationStatus, InviteLink


def _elsewhere(model: type[Invitation] | type[InviteLink], token: str) -> Network | None:
    """The network a token belongs to, when it is not the one in the address."""
    with scopes_disabled():
        found = model.objects.filter(token=token).select_related("network").first()
    return found.network if found is not None and found.network.is_active else None


def _problem_page(
    request: HttpRequest, message: str, *, status: int, other: Network | None = None
) -> HttpResponse:
    context = {"problem": message, "other": other}
    return render(request, "onboarding/invitation_problem.html", context, status=status)


def _already_in(request: HttpRequest, network: Network) -> bool:
    membership = get_membership(network, request.user)
    if membership is not None and membership.status == Status.ACTIVE:
        messages.info(request, _("You are already a member of this network."))
        return True
    return False


def masked_address(email: str) -> str:
    """Enough of an address for its owner to recognise it: taro@example.co.jp is
    ta***@ex***.co.jp."""
    local, _at, domain = email.partition("@")
    host, dot, rest = domain.partition(".")

    def start(part: str) -> str:
        return part[: min(2, max(1, len(part) // 2))]

    return f"{start(local)}***@{start(host)}***{dot}{rest}"


def _other_address_page(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """The invitation belongs to the address it was mailed to: the account logged in does not
    own it. Say which address, masked, and how to come back with it; accept nothing."""
    context = {
        "masked_email": masked_address(invitation.email),
        "awaits_confirmation": awaits_confirmation(request.user, invitation.email),  # type: ignore[arg-type]
        "next": request.path,
    }
    return render(request, "onboarding/invitation_other_address.html", context, status=403)


def agree_form_for(
    request: HttpRequest, network: Network, *, before: PolicyVersion | None = None
) -> AgreeForm | None:
    """The current policy and its checkbox, for a page that admits someone; None when the
    network has published none, or the person already agreed to it (``before``)."""
    current = current_policy(network)
    if current is None or (before is not None and before.pk == current.pk):
        return None
    return AgreeForm(request.POST or None, policy=current)


def agreement_refused(form: AgreeForm | None) -> bool:
    """Whether the checkbox is missing, or was ticked on a version that is no longer the
    current one (the form then shows the current one, with a field error)."""
    if form is None:
        return False
    if not form.is_valid():
        return True
    if form.cleaned_data["policy_version"] != form.policy.number:
        form.add_error(
            "agree",
            _(
                "The policy was changed while you were reading it. Please read the current "
                "version (version %(number)s) and agree to it."
            )
            % {"number": form.policy.number},
        )
        return True
    return False


def _accept_page(
    request: HttpRequest,
    network: Network,
    *,
    role_label: str,
    what: str,
    accept: Callable[[int | None], object],
    agree_form: AgreeForm | None,
) -> HttpResponse:
    context = {
        "role_label": role_label,
        "what": what,
        "next": request.get_full_path(),
        "agree_form": agree_form,
    }
    if request.method == "POST" and request.user.is_authenticated:
        if agreement_refused(agree_form):
            return render(request, "onboarding/accept.html", context, status=400)
        try:
            accept(agree_form.agreed() if agree_form is not None else None)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            return _problem_page(
                request, text, status=409 if isinstance(error, ValidationError) else 403
            )
        messages.success(request, _("Welcome to %(network)s!") % {"network": network.name})
        return redirect(network.get_absolute_url())
    return render(request, "onboarding/accept.html", context)


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    """Where logging in leads: back to the invitation the person signed up from, even in
    another browser than the one they signed up in; else the front door."""
    path = pending_join_of(request.user)  # type: ignore[arg-type]
    return redirect(path or "home")


def accept_invitation(request: HttpRequest, network_slug: str, invite_token: str) -> HttpResponse:
    network = request.network  # type: ignore[attr-defined]
    invitation = Invitation.objects.filter(network=network, token=invite_token[:40]).first()
    if invitation is None:
        other = _elsewhere(Invitation, invite_token[:40])
        if other is not None:
            return _problem_page(
                request, _("This invitation is for another network."), status=404, other=other
            )
        return _problem_page(
            request,
            _("This invitation link is not valid. Check that you opened the whole link."),
            status=404,
        )
    invitation.network = network
    if _already_in(request, network):
        return redirect(network.get_absolute_url())
    problem = actions.invitation_problem(invitation)
    if problem:
        return _problem_page(request, problem, status=410)
    if not request.user.is_authenticated:
        # Whoever opens the link from the e-mail owns the address: signing up with it needs no
        # second confirmation mail, and the account that does so may accept.
        get_adapter(request).stash_verified_email(request, invitation.email)
    else:
        try:
            check_accept_invitation_permission(request.user, invitation)
        except PermissionDenied:
            return _other_address_page(request, invitation)
    user = request.user
    before = actions.agreed_before(invitation)
    return _accept_page(
        request,
        network,
        role_label=invitation.get_role_display(),
        what="invitation",
        accept=lambda agreed: actions.do_accept_invitation(user, invitation, agreed=agreed),  # type: ignore[arg-type]
        agree_form=agree_form_for(request, network, before=before[0] if before else None),
    )


def stop_invitations(request: HttpRequest, network_slug: str, invite_token: str) -> HttpResponse:
    """From the foot of an invitation mail: the person asks this network never to invite them
    again. The token of the invitation is the proof; nothing else is asked or shown."""
    network = request.network  # type: ignore[attr-defined]
    invitation = Invitation.objects.filter(network=network, token=invite_token[:40]).first()
    if invitation is None:
        return _problem_page(
            request,
            _("This invitation link is not valid. Check that you opened the whole link."),
            status=404,
        )
    invitation.network = network
    done = invitation.status == InvitationStatus.BLOCKED
    if request.method == "POST" and not done:
        actions.do_stop_invitations(invitation)
        done = True
    return render(request, "onboarding/stop_invitations.html", {"done": done})


def accept_link(request: HttpRequest, network_slug: str, invite_token: str) -> HttpResponse:
    network = request.network  # type: ignore[attr-defined]
    link = InviteLink.objects.filter(network=network, token=invite_token[:40]).first()
    if link is None:
        other = _elsewhere(InviteLink, invite_token[:40])
        if other is not None:
            return _problem_page(
                request, _("This invitation link is for another network."), status=404, other=other
            )
        return _problem_page(
            request,
            _("This invitation link is not valid. Check that you opened the whole link."),
            status=404,
        )
    link.network = network
    if _already_in(request, network):
        return redirect(network.get_absolute_url())
    problem = actions.link_problem(link)
    if problem:
        return _problem_page(request, problem, status=410)
    user = request.user
    return _accept_page(
        request,
        network,
        role_label=link.get_role_display(),
        what="link",
        accept=lambda agreed: actions.do_accept_link(user, link, agreed=agreed),  # type: ignore[arg-type]
        agree_form=agree_form_for(request, network),
    )


def apply(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = request.network  # type: ignore[attr-defined]
    if not request.user.is_authenticated:
        return render(request, "onboarding/apply.html", {"form": None, "next": request.path})
    membership = get_membership(network, request.user)
    if membership is not None and membership.status == Status.ACTIVE:
        return redirect(network.get_absolute_url())
    if membership is not None:
        # Waiting for a decision, suspended or removed: no second application.
        return render(
            request, "onboarding/apply.html", {"form": None, "membership_state": membership.status}
        )
    refusal = join_refusal(request.user, network)
    if refusal is not None:
        return render(request, "onboarding/apply.html", {"refusal": refusal}, status=403)
    form = ApplyForm(
        request.POST or None,
        network=network,
        operated=operated_networks(request.user),
    )
    agree_form = agree_form_for(request, network)
    refused = request.method == "POST" and agreement_refused(agree_form)
    if request.method == "POST" and form.is_valid() and not refused:
        try:
            actions.do_apply(
                request.user,
                network,
                answers=form.answers(),
                declared=form.cleaned_data["declaration"],
                agreed=agree_form.agreed() if agree_form is not None else None,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(
                request,
                _("Thank you. The office will review your application and answer by e-mail."),
            )
            return redirect("tenancy:about", network_slug=network.slug)
    return render(
        request,
        "onboarding/apply.html",
        {"form": form, "agree_form": agree_form},
        status=400 if request.method == "POST" else 200,
    )


@operator_required
def applications(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    pending = list(
        Application.objects.filter(
            network=member.network, status=ApplicationStatus.PENDING
        ).select_related("user")[:100]
    )
    emails = {a.user.email.lower() for a in pending}
    names = {" ".join(a.user.name.split()) for a in pending}
    by_email: dict[str, Invitation] = {}
    by_name: dict[str, Invitation] = {}
    for found in Invitation.objects.filter(network=member.network).filter(
        Q(email__in=emails) | Q(name__in=names)
    ):
        by_email.setdefault(found.email, found)
        by_name.setdefault(found.name, found)
    for application in pending:
        # The address is a match; the same name alone is a hint for the operator to check.
        exact = by_email.get(application.user.email.lower())
        application.match = exact  # type: ignore[attr-defined]
        application.name_match = (  # type: ignore[attr-defined]
            None if exact else by_name.get(" ".join(application.user.name.split()))
        )
    decided = Paginator(
        Application.objects.filter(network=member.network)
        .exclude(status=ApplicationStatus.PENDING)
        .select_related("user", "decided_by")
        .order_by("-decided_at", "-id"),
        30,
    ).get_page(request.GET.get("page"))
    row = settings_of(member.network)
    return render(
        request,
        "onboarding/applications.html",
        {"pending": pending, "decided": decided, "settings_row": row},
    )


@operator_required
@require_POST
def decide(request: NetworkRequest, application_id: int) -> HttpResponse:
    member = request.membership
    application = access_application(member, application_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        if "decision" in form.errors:
            messages.error(request, _("Choose to approve or to reject."))
        else:
            messages.error(request, " ".join(str(e) for e in form.errors["note"]))
        return redirect("onboarding:applications", network_slug=member.network.slug)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        actions.do_decide_application(
            member, application, approve=approve, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = application.user.name
        if approve:
            messages.success(request, _("%(name)s has joined the network.") % {"name": name})
        else:
            messages.success(
                request, _("%(name)s's application was not accepted.") % {"name": name}
            )
    return redirect("onboarding:applications", network_slug=member.network.slug)


class JoiningSignupView(SignupView):
    """allauth's sign-up, told which invitation it was opened from: the page names the network
    and fills in what a personal invitation knows (the address it was sent to and the name)."""

    def _joining(self) -> tuple[Network, Invitation | None] | None:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        found = join_page(target)
        if found is None:
            return None
        network, path = found
        invitation = None
        match = resolve(path)
        if match.view_name == "onboarding:accept_invitation":
            with scope(network=network):
                invitation = Invitation.objects.filter(
                    network=network, token=str(match.kwargs.get("invite_token", ""))[:40]
                ).first()
        return network, invitation

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_initial()
        joining = self._joining()
        if joining is not None and joining[1] is not None:
            invitation = joining[1]
            initial.setdefault("email", invitation.email)
            if invitation.name:
                initial["name"] = invitation.name
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        joining = self._joining()
        context["joining_network"] = joining[0] if joining is not None else None
        return context


signup = JoiningSignupView.as_view()
