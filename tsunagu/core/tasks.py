"""The core's scheduled work."""

from __future__ import annotations

from celery import shared_task

from .charts import forget_old_drawings


@shared_task(acks_late=True)
def forget_old_chart_drawings() -> int:
    return forget_old_drawings()
