"""Stored figures: the totals of each month that is over, and the members by role and status.

A closed month's figures no longer change with time, so the nightly task (``tasks``) stores
them, and a dashboard computes only the running month and the last 30 days from the activity
record. A month is stored again by the nightly task for the two latest closed months (an
attendance marked late, a backfill) and by ``refresh_insights --all``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django_scopes import ScopedManager

from tsunagu.tenancy.models import Network, Role, Status


class MonthTotals(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    # The counts of figures.MonthRow, and "retained": {"1": n, …}, the members active in this
    # month who joined 1, 3, 6 and 12 months before.
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    objects: ClassVar[models.Manager[MonthTotals]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "month"], name="insights_month_once")
        ]

    def __str__(self) -> str:
        return f"{self.network_id} {self.month:%Y-%m}"

    def as_dict(self) -> dict[str, Any]:
        return dict(self.data)


class MemberCount(models.Model):
    """How many members of a network have a role and status, kept current by every change of
    a membership (``member_counts``): counting 100,000 memberships was the costliest query of
    a large network's dashboard."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    n = models.IntegerField(default=0)

    objects: ClassVar[models.Manager[MemberCount]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "role", "status"], name="insights_member_count_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.network_id} {self.role} {self.status}: {self.n}"
