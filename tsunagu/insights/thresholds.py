"""What each network decides about its dashboard: who may read it, and when a warning shows.

Kept apart from ``models.py`` (the activity record) so the dashboard's settings read as one
thing; ``models.py`` imports the model so Django finds it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from tsunagu.tenancy.models import Network


def _bounded(low: int, high: int) -> list[Any]:
    return [MinValueValidator(low), MaxValueValidator(high)]


# (field, default, lowest, highest): the one place the ranges are stated; the form reads them.
RANGES: dict[str, tuple[int, int, int]] = {
    "office_share_max": (50, 10, 100),
    "mau_falling_months": (3, 2, 12),
    "repeat_drop_points": (10, 1, 100),
    "signup_rate_min": (20, 1, 100),
    "consultation_days": (7, 1, 60),
    "welcome_days": (3, 1, 30),
    "new_faces_min": (10, 1, 100),
    "profiles_fresh_min": (50, 1, 100),
}


def _threshold(name: str, verbose: Promise, help_text: Promise) -> models.PositiveSmallIntegerField:
    default, low, high = RANGES[name]
    return models.PositiveSmallIntegerField(
        verbose,  # type: ignore[arg-type]
        default=default,
        validators=_bounded(low, high),
        help_text=help_text,  # type: ignore[arg-type]
    )


class InsightSettings(models.Model):
    """One per network, made with the defaults the first time the dashboard is read."""

    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="+")
    supporters_may_view = models.BooleanField(
        _("supporters may read the dashboard"),
        default=False,
        help_text=_("Supporters see the figures and warnings, but cannot change these settings."),
    )
    office_share_max = _threshold(
        "office_share_max",
        _("office's share of posts, at most (%)"),
        _(
            "Warn when the office wrote more than this share of the new posts (comments not "
            "counted) of the last 90 days."
        ),
    )
    mau_falling_months = _threshold(
        "mau_falling_months",
        _("months of falling monthly active members"),
        _("Warn when the monthly active members fell this many months running."),
    )
    repeat_drop_points = _threshold(
        "repeat_drop_points",
        _("fall of the events' repeat rate (points)"),
        _("Warn when the repeat rate of the last 3 months is this many points below the 3 before."),
    )
    signup_rate_min = _threshold(
        "signup_rate_min",
        _("people who join after an invitation, at least (%)"),
        _("Warn when fewer of the people invited 2 to 8 weeks ago have joined."),
    )
    consultation_days = _threshold(
        "consultation_days",
        _("days a consultation may wait for an answer"),
        _("Warn about consultations nobody has answered after this many days."),
    )
    welcome_days = _threshold(
        "welcome_days",
        _("days a newcomer may wait for a welcome"),
        _("Warn about newcomers nobody has welcomed after this many days."),
    )
    new_faces_min = _threshold(
        "new_faces_min",
        _("first-time attendees at events, at least (%)"),
        _("Warn when fewer of the attendees of the last 90 days came for the first time."),
    )
    profiles_fresh_min = _threshold(
        "profiles_fresh_min",
        _("profiles confirmed in the last 12 months, at least (%)"),
        _("Warn when fewer members have confirmed their current employer within a year."),
    )

    objects: ClassVar[models.Manager[InsightSettings]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("dashboard settings")
        verbose_name_plural = _("dashboard settings")

    def __str__(self) -> str:
        return f"insights settings of {self.network_id}"
