"""The one way real-time events leave the server: send_event(), after the transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

if TYPE_CHECKING:
    from tsunagu.tenancy.models import Membership, Network

log = logging.getLogger(__name__)


def _after_commit(push: Callable[[], None]) -> None:
    """Runs ``push`` once the transaction commits. The write is done by then: a channel layer
    that is down (Redis away) loses the live update, which the page shows on its next load,
    and must not turn the answer to the write into an error."""

    def run() -> None:
        try:
            push()
        except Exception as error:  # noqa: BLE001 - whatever the layer raises, the write stands
            log.warning(
                "realtime: an event was not sent, the channel layer failed (%s: %s)",
                type(error).__name__,
                error,
            )

    transaction.on_commit(run)


def user_group(network_id: int, user_id: int) -> str:
    """The group of every open connection of one user inside one network."""
    return f"u.{network_id}.{user_id}"


def account_group(user_id: int) -> str:
    """The group of every open connection of one user, in every network."""
    return f"a.{user_id}"


def send_event(network: Network, event: dict[str, Any], user_ids: Iterable[int]) -> None:
    """Pushes ``event`` to the given users' connections in ``network`` once the transaction commits.

    Connections join only their own network's groups, so an event can never reach a socket opened
    for another network.
    """
    recipients = sorted(set(user_ids))
    network_id = network.pk

    def push() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        send = async_to_sync(layer.group_send)
        for user_id in recipients:
            send(user_group(network_id, user_id), {"type": "event.forward", "event": event})

    _after_commit(push)


def disconnect_membership(membership: Membership) -> None:
    """Closes every open connection of a member at once (after commit): suspended, removed, left."""
    group = user_group(membership.network_id, membership.user_id)

    def push() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, {"type": "membership.revoked"})

    _after_commit(push)


def close_group(group: str) -> None:
    """Closes every socket that joined ``group`` at once (after commit), with 4403: what they
    followed is gone (a shared room whose link ended)."""

    def push() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, {"type": "group.closed"})

    _after_commit(push)


def reconnect_membership(membership: Membership) -> None:
    """Asks every open connection of a member to reconnect (after commit): a new role changes
    which rooms and events the member may hear, and a new connection subscribes afresh."""
    group = user_group(membership.network_id, membership.user_id)

    def push() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, {"type": "membership.changed"})

    _after_commit(push)


def end_account_sockets(user_id: int) -> None:
    """Asks every open connection of a user, in every network, to connect again (after commit):
    a logout, a new password or a deactivated account ends sessions, and the new handshake
    admits only a session that is still valid."""
    group = account_group(user_id)

    def push() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, {"type": "account.changed"})

    _after_commit(push)
