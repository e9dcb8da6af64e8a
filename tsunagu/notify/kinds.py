"""The kinds of notification. Each feature registers its own; preferences are per kind."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The channels a notification can take. In-app is the list behind the bell; push reaches the
# member's devices that subscribed (tsunagu.push).
INAPP = "inapp"
EMAIL = "email"
PUSH = "push"
CHANNELS = (INAPP, EMAIL, PUSH)


@dataclass(frozen=True)
class Kind:
    key: str
    label: Promise
    # Rendered in the reader's language; %(name)s placeholders come from Notification.params.
    message: Promise
    email_by_default: bool = True
    # Pushed to the member's subscribed devices unless they turn it off: what cannot wait.
    push_by_default: bool = False

    def by_default(self, channel: str) -> bool:
        if channel == INAPP:
            return True
        if channel == EMAIL:
            return self.email_by_default
        if channel == PUSH:
            return self.push_by_default
        raise ValueError(f"unknown notification channel {channel!r}")


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.key in KINDS:
        raise ValueError(f"notification kind {kind.key!r} registered twice")
    KINDS[kind.key] = kind
    return kind


def get_kind(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise ValueError(f"unknown notification kind {key!r}") from None


WELCOME = register(
    Kind("welcome", _("Welcome messages"), _("Welcome to %(network)s!"), email_by_default=True)
)
ANNOUNCEMENT = register(
    Kind(
        "announcement",
        _("Announcements from the office"),
        _("Announcement from %(network)s: %(title)s"),
        email_by_default=True,
    )
)
ROLE_CHANGED = register(
    Kind(
        "role_changed",
        _("Changes to my role"),
        _("Your role in %(network)s is now %(role)s."),
        email_by_default=True,
    )
)
