"""Whether members want the office's announcements by e-mail: the notification kind
"announcement" of notify, asked for a chunk of members at once."""

from __future__ import annotations

from collections.abc import Iterable

from tsunagu.notify.kinds import get_kind
from tsunagu.notify.models import NotificationPreference
from tsunagu.notify.reads import wants_email
from tsunagu.tenancy.models import Network

KIND = "announcement"


def declining(network: Network, user_ids: Iterable[int]) -> set[int]:
    """The members among ``user_ids`` who turned announcement e-mail off in this network: what
    ``wants_email()`` answers for each, in one query."""
    ids = set(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(
            network=network, user_id__in=ids, kind=KIND
        ).values_list("user_id", "email")
    )
    default = get_kind(KIND).email_by_default

    def wants(user_id: int) -> bool:
        choice = chosen.get(user_id)  # no row, or a row without an e-mail choice: the default
        return default if choice is None else bool(choice)

    return {user_id for user_id in ids if not wants(user_id)}


def wants_announcements(network: Network, user_id: int) -> bool:
    return wants_email(network, user_id, KIND)
