"""Notification kinds of news and columns."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tsunagu.notify.kinds import OPERATORS, Kind, register

PUBLISHED = register(
    Kind(
        "news_published",
        _("New articles in the network"),
        _("New article: “%(title)s”."),
        email_by_default=False,
        group="news",
    )
)
PENDING = register(
    Kind(
        "news_pending",
        _("Articles waiting for my approval (operators)"),
        _("%(actor)s submitted “%(title)s” for approval."),
        email_by_default=True,
        group="news",
        roles=OPERATORS,
    )
)
APPROVED = register(
    Kind(
        "news_approved",
        _("My article approved by the operators"),
        _("Your article “%(title)s” is approved."),
        email_by_default=True,
        group="news",
    )
)
REJECTED = register(
    Kind(
        "news_rejected",
        _("My article not approved by the operators"),
        _("Your article “%(title)s” was not approved."),
        email_by_default=True,
        group="news",
    )
)
COMMENT = register(
    Kind(
        "news_comment",
        _("Comments on my articles"),
        _("%(actor)s commented on “%(title)s”."),
        email_by_default=False,
        group="news",
    )
)
