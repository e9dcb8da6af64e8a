"""The totals of each month that is over, stored once it has closed.

A closed month's figures no longer change with time, so the nightly task (``tasks``) stores
them, and a dashboard computes only the running month and the last 30 days from the activity
record. A month is stored again by the nightly task for the two latest closed months (an
attendance marked late, a backfill) and by ``refresh_insights --all``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django_scopes import ScopedManager

from tsunagu.tenancy.models import Network


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
