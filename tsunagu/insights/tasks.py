"""Scheduled work of the dashboard: the nightly figures, and the monthly letter of warnings."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from tsunagu.notify.actions import notify
from tsunagu.tenancy.days import network_day
from tsunagu.tenancy.models import Membership, Network, Role, Status

from . import member_counts
from .figures import Period, figures_for, store_closed_months
from .forms_dashboard import PRESETS
from .kinds import WARNINGS
from .warnings import evaluate, measures_for, settings_for

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def refresh_figures() -> int:
    """Computes every active network's figures for the usual periods, before anyone asks."""
    with scopes_disabled():
        ids = list(Network.objects.filter(is_active=True).values_list("pk", flat=True))
    for network_id in ids:
        refresh_network_figures(network_id)
    return len(ids)


def refresh_network_figures(network_id: int) -> None:
    today = network_day(timezone.now())
    # The stored members by role and status, counted again: a write that skipped the signals
    # and did not say so is right from tonight.
    member_counts.recount(network_id)
    store_closed_months(network_id, today)
    for months, _label in PRESETS:
        figures_for(network_id, Period.last_months(int(months), today), fresh=True)
    measures_for(network_id, fresh=True)


@shared_task(acks_late=True)
def send_monthly_warnings() -> int:
    """On the first day of a month, tells each network's operators what is going wrong."""
    if network_day(timezone.now()).day != 1:
        return 0
    with scopes_disabled():
        ids = list(Network.objects.filter(is_active=True).values_list("pk", flat=True))
    return sum(send_network_warnings(network_id) for network_id in ids)


def send_network_warnings(network_id: int) -> int:
    """One notification per operator, written in their language; none when all is well."""
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return 0
    measures = measures_for(network_id, fresh=True)
    choices = settings_for(network_id)
    url = reverse("insights:dashboard", kwargs={"network_slug": network.slug})
    sent = 0
    with scope(network=network):
        operators = Membership.objects.filter(
            network=network, role=Role.OPERATOR, status=Status.ACTIVE
        ).select_related("user")
        for operator in operators:
            user = operator.user
            with translation.override(user.language or settings.LANGUAGE_CODE):
                firing = [w for w in evaluate(choices, measures, timezone.now()) if w.firing]
                if not firing:
                    continue
                body = render_to_string("insights/warnings_mail.txt", {"warnings": firing})
            notify(network, [user], WARNINGS.key, params={"count": len(firing)}, body=body, url=url)
            sent += 1
    return sent
