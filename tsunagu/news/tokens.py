"""The secret part of a member's news feed addresses, signed with ``SECRET_KEY``.

It names the member, the network and the version of the member's addresses (``NewsFeedKey``):
a member who renews their addresses gets a new version, and the old addresses stop working.
"""

from __future__ import annotations

from tsunagu.core.feedtokens import make_versioned_token, read_versioned_token

SALT = "tsunagu.news.feed"


def make_feed_token(user_id: int, network_id: int, version: int = 0) -> str:
    """The secret part of a member's feed addresses (core.feedtokens)."""
    return make_versioned_token(SALT, user_id, network_id, version)


def read_feed_token(token: str) -> tuple[int, int, int] | None:
    """(user id, network id, version), or None for a token that is not one of ours."""
    return read_versioned_token(SALT, token)
