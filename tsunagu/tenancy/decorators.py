from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render

from .access import get_membership, may_moderate
from .gates import stopped_by_gate
from .models import Status

View = Callable[..., HttpResponseBase]


def member_required(view: View) -> View:
    """Lets only active members of the request's network in.

    Anonymous visitors are sent to log in; outsiders to the network's public page; suspended or
    departed members see why they cannot enter. The view does not receive ``network_slug``.
    """

    @wraps(view)
    def wrapper(
        request: HttpRequest, *args: Any, network_slug: str, **kwargs: Any
    ) -> HttpResponseBase:
        network = request.network  # type: ignore[attr-defined]
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = get_membership(network, request.user)
        if membership is None or membership.status == Status.PENDING:
            return redirect("tenancy:about", network_slug=network.slug)
        if membership.status != Status.ACTIVE:
            return render(
                request,
                "tenancy/membership_inactive.html",
                {"network": network, "membership_status": membership.get_status_display()},
                status=403,
            )
        membership.network = network  # the request's, already loaded: no second query
        # The apps' gates, without a query (consent's: a new privacy policy is read and
        # accepted before anything else).
        stopped = stopped_by_gate(request, view, network, membership)
        if stopped is not None:
            return stopped
        request.membership = membership  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def operator_required(view: View) -> View:
    @wraps(view)  # wraps() carries a consent_exempt mark over to member_required
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.membership.is_operator:  # type: ignore[attr-defined]
            return render(request, "tenancy/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return member_required(inner)


def moderator_required(view: View) -> View:
    """Lets in operators, and supporters while the network lets them moderate (may_moderate)."""

    @wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not may_moderate(request.membership):  # type: ignore[attr-defined]
            return render(request, "tenancy/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return member_required(inner)
