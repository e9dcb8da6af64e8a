"""Notification kinds of events."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tsunagu.notify.kinds import Kind, register

NEW = register(
    Kind(
        "event_new",
        _("New events I may join"),
        _("New event: “%(title)s”."),
        # In the app: every new event by mail would be too much; the digest gathers them.
        email_by_default=False,
        group="events",
    )
)
CONFIRMED = register(
    Kind(
        "event_confirmed",
        _("My place at an event is confirmed"),
        _("Your place at “%(title)s” is confirmed."),
        email_by_default=True,
        group="events",
    )
)
DECLINED = register(
    Kind(
        "event_declined",
        _("My application to an event is declined"),
        _("Your application to “%(title)s” was not accepted."),
        email_by_default=True,
        group="events",
    )
)
CALLED_OFF = register(
    Kind(
        "event_called_off",
        _("An event I applied for is called off"),
        _("“%(title)s” has been called off."),
        email_by_default=True,
        group="events",
    )
)
REMINDER = register(
    Kind(
        "event_reminder",
        _("Reminders the day before an event"),
        _("Reminder: “%(title)s” starts %(when)s."),
        email_by_default=True,
        push_by_default=True,
        group="events",
    )
)
FOLLOW_UP = register(
    Kind(
        "event_follow_up",
        _("Thanks and feedback after an event"),
        _("Thank you for taking part in “%(title)s”. Tell the organisers how it was."),
        email_by_default=True,
        group="events",
    )
)
APPLICATION = register(
    Kind(
        "event_application",
        _("Applications to events I run waiting for my approval"),
        _("%(name)s applied for “%(title)s” and awaits your approval."),
        email_by_default=True,
        group="events",
    )
)
