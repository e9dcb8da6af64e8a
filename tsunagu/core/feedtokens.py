"""The secret part of a member's subscription addresses (calendar, news feeds): signed, and
carrying the version the member last renewed to."""

from __future__ import annotations

from django.core import signing


def make_versioned_token(salt: str, user_id: int, network_id: int, version: int = 0) -> str:
    """Version 0 keeps the form the addresses had before members could renew them, so that
    existing subscriptions go on working."""
    values = [user_id, network_id, version] if version else [user_id, network_id]
    return signing.dumps(values, salt=salt, compress=True)


def read_versioned_token(salt: str, token: str) -> tuple[int, int, int] | None:
    """(user id, network id, version), or None for a token that is not one of ours."""
    try:
        values = signing.loads(token, salt=salt)
        if not isinstance(values, list) or len(values) not in (2, 3):
            return None
        user_id, network_id, version = [*values, 0][:3]
        return int(user_id), int(network_id), int(version)
    except (signing.BadSignature, ValueError, TypeError):
        return None
