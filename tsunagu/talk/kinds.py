"""Notification kinds of the talk rooms."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tsunagu.notify.kinds import Kind, register

MENTION = register(
    Kind(
        "talk_mention",
        _("Mentions of me in talk rooms"),
        _("%(actor)s mentioned you in “%(room)s”."),
        email_by_default=True,
        push_by_default=True,
        group="talk",
    )
)
DIRECT = register(
    Kind(
        "talk_direct",
        _("New direct messages"),
        _("%(actor)s sent you a message."),
        email_by_default=True,
        push_by_default=True,
        group="talk",
    )
)
