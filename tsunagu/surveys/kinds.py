"""Notification kinds of surveys."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tsunagu.notify.kinds import Kind, register

INVITATION = register(
    Kind(
        "survey_invitation",
        _("A survey asks for my answers"),
        _("Please answer the survey “%(title)s” by %(closes)s."),
        email_by_default=True,
        group="surveys",
    )
)
REMINDER = register(
    Kind(
        "survey_reminder",
        _("Reminders of surveys I have not answered"),
        _("Three days left: the survey “%(title)s” closes %(closes)s."),
        email_by_default=True,
        group="surveys",
    )
)
