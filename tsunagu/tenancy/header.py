"""What tenancy adds to the layout's header (``core/navigation.py``): the visitor's networks in
their menu, the network's public page and, for operators, its management."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tsunagu.core.navigation import Link, Networks, add_link, containing, never, set_networks

from .cache import networks_keys, networks_of


def _operators(membership: Any) -> bool:
    return bool(membership.is_operator)


def register() -> None:
    set_networks(Networks(keys=networks_keys, read=networks_of))
    add_link(Link("about", _("About"), 100, current=never))
    # Every operators' page of every app is under /manage/.
    add_link(Link("manage", _("Manage"), 120, current=containing("/manage/"), shown=_operators))
