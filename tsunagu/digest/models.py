"""The weekly or monthly digest: each member's choice, and one row per digest considered."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from tsunagu.tenancy.models import Network


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Once a week")
    MONTHLY = "monthly", _("Once a month")
    OFF = "off", _("Do not send")


class DigestPreference(models.Model):
    """A member's choice of digest in one network; absent means the default of their role."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[DigestPreference]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "user"], name="digest_one_preference")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.network_id}: {self.frequency}"


class DigestState(models.TextChoices):
    PENDING = "pending"  # claimed or waiting for the mail server
    SENT = "sent"
    EMPTY = "empty"  # nothing new: nothing sent
    FAILED = "failed"  # refused for good


class DigestSent(models.Model):
    """One member's digest for one day of theirs (``period``, their local date).

    The row is created and claimed before the mail goes: a copy of the task, a second worker or
    a run restarted after a crash finds it and sends nothing (accounts/delivery.claim)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    state = models.CharField(max_length=8, choices=DigestState.choices, default=DigestState.PENDING)
    item_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    objects: ClassVar[models.Manager[DigestSent]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user", "period"], name="digest_one_per_member_and_day"
            )
        ]
        indexes = [models.Index(fields=["network", "user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.network_id} {self.period}: {self.state}"
