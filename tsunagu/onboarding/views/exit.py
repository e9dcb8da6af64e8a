"""The exit interview's QR code: HR makes one for a leaver; the leaver registers on their phone."""

from __future__ import annotations

from allauth.core import ratelimit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from tsunagu.consent.actions import current_policy
from tsunagu.tenancy.decorators import operator_required
from tsunagu.tenancy.requests import NetworkRequest

from ..access import access_exit_code
from ..exit import CodeProblem, code_problem, do_create_exit_code, do_register_at_exit
from ..forms import ExitCodeForm, ExitRegistrationForm
from ..models import ExitCode
from .invitations import qr_svg


@operator_required
def exit_codes(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = ExitCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = do_create_exit_code(
            member, name=form.cleaned_data["name"], left_on=form.cleaned_data["left_on"]
        )
        return redirect("onboarding:exit_code", network_slug=member.network.slug, code_id=code.pk)
    codes = ExitCode.objects.filter(network=member.network).order_by("-created_at")[:30]
    return render(
        request,
        "onboarding/exit_codes.html",
        {"form": form, "codes": codes},
        status=400 if request.method == "POST" else 200,
    )


@operator_required
def exit_code(request: NetworkRequest, code_id: int) -> HttpResponse:
    """The QR code, large, to show the leaver across the table."""
    code = access_exit_code(request.membership, code_id)
    url = settings.SITE_URL + code_url(code)  # the address the site is reached by
    qr = mark_safe(qr_svg(url)) if code.usable else ""  # noqa: S308 - segno's SVG
    return render(request, "onboarding/exit_code.html", {"code": code, "url": url, "qr": qr})


def code_url(code: ExitCode) -> str:
    return reverse(
        "onboarding:exit_register",
        kwargs={"network_slug": code.network.slug, "exit_token": code.token},
    )


def register(request: HttpRequest, network_slug: str, exit_token: str) -> HttpResponse:
    """On the leaver's phone, without an account."""
    network = request.network  # type: ignore[attr-defined]
    code = ExitCode.objects.filter(network=network, token=exit_token[:40]).first()
    problem = code_problem(code)
    if problem:
        return render(request, "onboarding/exit_register.html", {"problem": problem}, status=410)
    assert code is not None
    creator = getattr(code.created_by, "email", "") or ""
    form = ExitRegistrationForm(
        request.POST or None,
        initial={"name": code.name},
        company_domain=creator.rsplit("@", 1)[-1].lower() if "@" in creator else "",
    )
    if request.method == "POST":
        limited = ratelimit.consume_or_429(request, action="exit_registration")
        if limited is not None:
            return limited
        if form.is_valid():
            try:
                do_register_at_exit(network, exit_token, form.cleaned_data)
            except CodeProblem as error:
                return render(
                    request, "onboarding/exit_register.html", {"problem": str(error)}, status=410
                )
            return render(request, "onboarding/exit_register.html", {"done": True, "code": code})
    # The network's current purpose of use and policy: the invitation keeps the time of
    # consent, which names the version when the leaver joins.
    return render(
        request,
        "onboarding/exit_register.html",
        {"form": form, "code": code, "policy": current_policy(network)},
        status=400 if request.method == "POST" else 200,
    )
