"""Notification kinds of news and columns."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tsunagu.notify.kinds import Kind, register

PUBLISHED = register(
    Kind(
        "news_published",
        _("New articles in the network"),
        _("New article: “%(title)s”."),
        email_by_default=False,
    )
)
PENDING = register(
    Kind(
        "news_pending",
        _("Articles waiting for my approval (operators)"),
        _("%(actor)s submitted “%(title)s” for approval."),
        email_by_default=True,
    )
)
APPROVED = register(
    Kind(
        "news_approved",
        _("My article approved by the operators"),
        _("Your article “%(title)s” is approved."),
        email_by_default=True,
    )
)
REJECTED = register(
    Kind(
        "news_rejected",
        _("My article not approved by the operators"),
        _("Your article “%(title)s” was not approved."),
        email_by_default=True,
    )
)
COMMENT = register(
    Kind(
        "news_comment",
        _("Comments on my articles"),
        _("%(actor)s commented on “%(title)s”."),
        email_by_default=False,
    )
)
