from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from .access import pending_erasure
from .session import note_erasure


@receiver(user_logged_in)
def remember_a_scheduled_erasure(sender: Any, request: HttpRequest, user: Any, **kw: Any) -> None:
    if request is not None and hasattr(request, "session"):
        note_erasure(request, pending_erasure(user))
