"""Queuing background tasks after the commit, without failing the request when the broker is
unreachable: the write the request made is committed already, and an error page would only tell
the member that it was not."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)


def queue_after_commit(
    task: Any, *args: Any, countdown: float | None = None, **kwargs: Any
) -> None:
    """Queues ``task(*args, **kwargs)`` once the transaction commits. If the broker cannot be
    reached (Redis down), the task is not queued and the error is logged; without a broker
    (the embedded setup) the task runs right away and its own errors propagate as before."""

    def push() -> None:
        try:
            task.apply_async(args, kwargs, countdown=countdown)
        except OperationalError:
            log.error("the task queue is unreachable: %s was not queued", task.name, exc_info=True)

    transaction.on_commit(push)
