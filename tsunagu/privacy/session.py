"""The banner shown on every page while the account's erasure is scheduled.

It reads the session, which every page loads anyway, so it costs no query: the flag is written
when the erasure is scheduled or cancelled, and at every login (``signals.py``)."""

from __future__ import annotations

from django.http import HttpRequest

from .models import Erasure

KEY = "privacy_erasure_due"


def note_erasure(request: HttpRequest, erasure: Erasure | None) -> None:
    if erasure is None:
        request.session.pop(KEY, None)
    else:
        request.session[KEY] = erasure.due_at.isoformat()
