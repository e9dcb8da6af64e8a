"""An event's feedback form, made by another app: the surveys app registers it in its
``ready()`` (the form is a survey of the participants, ``surveys/event_feedback.py``). events
knows no app that makes it; without one, an event has no feedback form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Event


@dataclass(frozen=True)
class FeedbackForm:
    """Each is called with the event and its network's slug (for addresses)."""

    # Makes the event's form if there is none yet; where participants answer it.
    open: Callable[[Event, str], str]
    # Where the form is answered, and where organisers read the answers: None while there is
    # no form.
    answer_url: Callable[[Event, str], str | None]
    results_url: Callable[[Event, str], str | None]


_forms: list[FeedbackForm] = []


def set_feedback_form(form: FeedbackForm) -> None:
    _forms[:] = [form]


def feedback_form() -> FeedbackForm | None:
    return _forms[0] if _forms else None
