"""The few tables of the core."""

from __future__ import annotations

from django.db import models


class ChartImage(models.Model):
    """A chart drawn once: the SVG drawn for a chart's exact content, found by its digest.

    Drawing six charts took a cold dashboard about 50 ms, while the content of most charts
    (closed months) does not change from one day to the next. The figures themselves are always
    computed; only the drawing of content already drawn is read back (``charts.draw``). The
    rows hold totals, never a person, and the nightly task deletes those not drawn for 40 days.
    """

    digest = models.CharField(max_length=64, primary_key=True)
    svg = models.BinaryField()
    drawn_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.digest
