"""Notification kinds of the boards."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tsunagu.notify.kinds import Kind, register

NEW_COMMENT = register(
    Kind(
        "boards_comment",
        _("New comments on threads I follow"),
        _("%(actor)s commented on “%(title)s”."),
        email_by_default=False,
        group="boards",
    )
)
MENTION = register(
    Kind(
        "boards_mention",
        _("Mentions of me on the boards"),
        _("%(actor)s mentioned you in “%(title)s”."),
        email_by_default=True,
        push_by_default=True,
        group="boards",
    )
)
BEST_ANSWER = register(
    Kind(
        "boards_best_answer",
        _("My answer chosen as the most helpful"),
        _("%(actor)s chose your answer as the most helpful in “%(title)s”."),
        email_by_default=True,
        group="boards",
    )
)
NEW_CONSULTATION = register(
    Kind(
        "boards_consultation",
        # Supporters and operators hear of every consultation; others of those naming their skills.
        _("New consultations I might help with"),
        _("%(actor)s asks the network: “%(title)s”."),
        email_by_default=False,
        group="boards",
    )
)
