"""The secret part of a member's news feed addresses, signed with ``SECRET_KEY``.

It names the member, the network and the version of the member's addresses (``NewsFeedKey``):
a member who renews their addresses gets a new version, and the old addresses stop working.
"""

from __future__ import annotations

from django.core import signing

SALT = "tsunagu.news.feed"


def make_feed_token(user_id: int, network_id: int, version: int = 0) -> str:
    """Version 0 keeps the form the addresses had before members could renew them, so that
    existing subscriptions go on working."""
    values = [user_id, network_id, version] if version else [user_id, network_id]
    return signing.dumps(values, salt=SALT, compress=True)


def read_feed_token(token: str) -> tuple[int, int, int] | None:
    """(user id, network id, version), or None for a token that is not one of ours."""
    try:
        values = signing.loads(token, salt=SALT)
        if not isinstance(values, list) or len(values) not in (2, 3):
            return None
        user_id, network_id, version = [*values, 0][:3]
        return int(user_id), int(network_id), int(version)
    except (signing.BadSignature, ValueError, TypeError):
        return None
