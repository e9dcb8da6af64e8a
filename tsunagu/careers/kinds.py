"""Notification kinds of opportunities."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tsunagu.notify.kinds import OPERATORS, Kind, register

ANSWER = register(
    Kind(
        "careers_answer",
        _("Answers to my opportunities"),
        _("%(actor)s answered “%(title)s”: %(mode)s."),
        email_by_default=True,
        group="opportunities",
    )
)
STATUS = register(
    Kind(
        "careers_status",
        _("Progress of my applications"),
        _("Your answer to “%(title)s” is now: %(status)s."),
        email_by_default=True,
        push_by_default=True,
        group="opportunities",
    )
)
# In the app only: a mail for every posting would push people (the periodic digest, when it
# exists, is where these belong by e-mail).
MATCH = register(
    Kind(
        "careers_match",
        _("New opportunities that match what I am open to"),
        _("A new opportunity for you: “%(title)s”."),
        email_by_default=False,
        group="opportunities",
    )
)
PENDING = register(
    Kind(
        "careers_pending",
        _("Opportunities waiting for my approval (operators)"),
        _("%(actor)s submitted the opportunity “%(title)s” for approval."),
        email_by_default=True,
        group="opportunities",
        roles=OPERATORS,
    )
)
APPROVED = register(
    Kind(
        "careers_approved",
        _("My opportunity approved by the operators"),
        _("Your opportunity “%(title)s” is approved and published."),
        email_by_default=True,
        group="opportunities",
    )
)
REJECTED = register(
    Kind(
        "careers_rejected",
        _("My opportunity not approved by the operators"),
        _("Your opportunity “%(title)s” was not approved."),
        email_by_default=True,
        group="opportunities",
    )
)
DEADLINE = register(
    Kind(
        "careers_deadline",
        _("Reminders before my opportunities close"),
        _("“%(title)s” closes on %(deadline)s."),
        email_by_default=True,
        group="opportunities",
    )
)
