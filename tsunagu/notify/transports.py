"""Ways a notification leaves the app besides the bell and e-mail, added by the apps that carry
them: the push app registers its sending to members' devices in its ``ready()``.

notify decides who takes a notification through which channel (``kinds.CHANNELS``) and hands
the notifications of a channel to its transports once they are created; it knows no app that
carries them.
"""

from __future__ import annotations

from collections.abc import Callable

from tsunagu.tenancy.models import Network

# Called inside notify()'s transaction with the ids of the new notifications to carry; a
# transport queues its work after commit.
Transport = Callable[[Network, list[int]], None]

_transports: dict[str, list[Transport]] = {}


def add_transport(channel: str, send: Transport) -> None:
    sends = _transports.setdefault(channel, [])
    if send not in sends:
        sends.append(send)


def transports(channel: str) -> list[Transport]:
    return list(_transports.get(channel, ()))
