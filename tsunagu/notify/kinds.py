"""The kinds of notification. Each feature registers its own; preferences are per kind."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tsunagu.tenancy.models import Role

# The channels a notification can take. In-app is the list behind the bell; push reaches the
# member's devices that subscribed (tsunagu.push).
INAPP = "inapp"
EMAIL = "email"
PUSH = "push"
CHANNELS = (INAPP, EMAIL, PUSH)

CHANNEL_LABELS: dict[str, Promise] = {
    INAPP: pgettext_lazy("notification channel", "In the app"),
    EMAIL: pgettext_lazy("notification channel", "E-mail"),
    PUSH: pgettext_lazy("notification channel", "Push"),
}


@dataclass(frozen=True)
class Group:
    """A heading of the preferences page: the kinds of one part of the network."""

    key: str
    label: Promise


# In the order the preferences page shows them.
GROUPS: dict[str, Group] = {
    group.key: group
    for group in (
        Group("talk", _("Talk rooms")),
        Group("boards", _("Boards")),
        Group("events", _("Events")),
        Group("news", _("News and columns")),
        Group("opportunities", _("Opportunities")),
        Group("surveys", _("Surveys")),
        Group("network", pgettext_lazy("notification group", "The network")),
    )
}

OPERATORS: frozenset[str] = frozenset({Role.OPERATOR})


@dataclass(frozen=True)
class Kind:
    key: str
    label: Promise
    # Rendered in the reader's language; %(name)s placeholders come from Notification.params.
    message: Promise
    email_by_default: bool = True
    # Pushed to the member's subscribed devices unless they turn it off: what cannot wait.
    push_by_default: bool = False
    group: str = "network"
    # The roles that can receive it (None: every role). notify() drops every other member, and
    # the preferences page shows the kind only to these roles.
    roles: frozenset[str] | None = None

    def by_default(self, channel: str) -> bool:
        if channel == INAPP:
            return True
        if channel == EMAIL:
            return self.email_by_default
        if channel == PUSH:
            return self.push_by_default
        raise ValueError(f"unknown notification channel {channel!r}")

    def applies_to(self, role: str) -> bool:
        return self.roles is None or role in self.roles


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.key in KINDS:
        raise ValueError(f"notification kind {kind.key!r} registered twice")
    if kind.group not in GROUPS:
        raise ValueError(f"notification kind {kind.key!r}: unknown group {kind.group!r}")
    if kind.roles is not None and not kind.roles <= set(Role.values):
        raise ValueError(f"notification kind {kind.key!r}: unknown roles {set(kind.roles)!r}")
    KINDS[kind.key] = kind
    return kind


def get_kind(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise ValueError(f"unknown notification kind {key!r}") from None


def kinds_by_group(role: str) -> list[tuple[Group, list[Kind]]]:
    """The kinds a member of ``role`` can receive, under their groups, in the page's order."""
    found: dict[str, list[Kind]] = {key: [] for key in GROUPS}
    for kind in KINDS.values():
        if kind.applies_to(role):
            found[kind.group].append(kind)
    return [(GROUPS[key], kinds) for key, kinds in found.items() if kinds]


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
MEMBER_LEFT = register(
    Kind(
        "member_left",
        _("A member leaves the network"),
        _("%(name)s left %(network)s."),
        email_by_default=False,
        roles=OPERATORS,
    )
)
