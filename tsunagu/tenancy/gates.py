"""What other apps add to every member page of a network, registered in their ``ready()``:

- gates that ``member_required`` runs before the view, once the membership is known, each
  answering the response that stops the request or None to let it through;
- values that come with the cached network and membership rows (``cache.py``), computed in the
  statement that loads them, so that a gate can decide without a query of its own.

tenancy knows no feature: the consent app registers its re-consent gate and its two version
numbers here (``consent/apps.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from .models import Membership, Network

# (request, the view it would reach, the network, the member's membership).
Gate = Callable[[HttpRequest, Callable[..., Any], Network, Membership], HttpResponseBase | None]

_gates: list[Gate] = []
_network_values: dict[str, Callable[[], Any]] = {}
_membership_values: dict[str, Callable[[], Any]] = {}


def add_member_gate(gate: Gate) -> None:
    if gate not in _gates:
        _gates.append(gate)


def stopped_by_gate(
    request: HttpRequest, view: Callable[..., Any], network: Network, membership: Membership
) -> HttpResponseBase | None:
    """The first gate's answer that stops the request, or None."""
    for gate in _gates:
        stopped = gate(request, view, network, membership)
        if stopped is not None:
            return stopped
    return None


def add_network_value(name: str, expression: Callable[[], Any]) -> None:
    """``expression()`` makes the annotation for a Network row; the cached network carries it
    as the attribute ``name``."""
    _network_values[name] = expression


def add_membership_value(name: str, expression: Callable[[], Any]) -> None:
    _membership_values[name] = expression


def network_values() -> dict[str, Any]:
    return {name: make() for name, make in _network_values.items()}


def membership_values() -> dict[str, Any]:
    return {name: make() for name, make in _membership_values.items()}
