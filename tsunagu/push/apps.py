from __future__ import annotations

from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "tsunagu.push"
    label = "push"

    def ready(self) -> None:
        from tsunagu.notify.kinds import PUSH
        from tsunagu.notify.transports import add_transport

        from . import checks, signals  # noqa: F401 - registers the checks, connects the receivers
        from .tasks import queue_pushes

        add_transport(PUSH, queue_pushes)  # notify() hands the notifications to push here
