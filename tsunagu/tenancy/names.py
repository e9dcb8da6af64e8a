"""The one rule for naming the author of something inside a network.

Content stays when its author's membership ends: whoever left (by their own choice or removed by
the office) or whose membership was deleted is shown as 「退会したメンバー」, with no name, no
photo or initials and no link to a profile. Every page and every statement that shows an author
asks here, so a member who leaves disappears from every surface at once, and comes back with
their name when they rejoin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext, gettext_lazy

from .models import Status

if TYPE_CHECKING:
    from .models import Membership

FORMER_MEMBER = gettext_lazy("former member")


def has_ended(status: str | None) -> bool:
    """Whether a membership in this status no longer names its content (None: no membership)."""
    return status is None or status == Status.LEFT


def shown_member(membership: Membership | None) -> Membership | None:
    """The membership to name and link, or None when the author is shown as a former member."""
    if membership is None or has_ended(membership.status):
        return None
    return membership


def shown_name(membership: Membership | None) -> str:
    """The author's name as the network shows it, or 「退会したメンバー」."""
    if shown_member(membership) is None:
        return gettext("former member")
    return membership.user.name  # type: ignore[union-attr]


def name_or_none(name: str | None, status: str | None) -> str | None:
    """For rows read by hand-written statements (the name and the membership's status): the
    name, or None where the page writes 「退会したメンバー」."""
    if has_ended(status):
        return None
    return name or ""


def naming_changed(created: bool, update_fields: object) -> bool:
    """For a ``post_save`` of a Membership: whether the save may change how the member's content
    is named (a new status), so the apps move on the revisions of pages that show it."""
    if created:
        return False
    return update_fields is None or "status" in update_fields  # type: ignore[operator]
