from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from tsunagu.accounts.models import User

    from .models import Membership, Network


class NetworkRequest(HttpRequest):
    """The request a member_required view receives: for type checking only."""

    network: Network
    membership: Membership
    user: User
    htmx: HtmxDetails
