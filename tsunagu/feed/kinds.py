"""Notification kinds of the home feed."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tsunagu.notify.kinds import Kind, register

WELCOMED = register(
    Kind(
        "feed_welcome",
        _("Members welcoming me to the network"),
        _("%(actor)s welcomed you to %(network)s."),
        email_by_default=False,
        group="network",
    )
)
