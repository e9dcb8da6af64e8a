"""Signed one-click unsubscribe tokens: who, which network, which kind. No login needed."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

SALT = "tsunagu.notify.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    network_id: int
    kind: str


def make_token(user_id: int, network_id: int, kind: str) -> str:
    return signing.dumps([user_id, network_id, kind], salt=SALT, compress=True)


def read_token(token: str) -> Unsubscribe | None:
    try:
        user_id, network_id, kind = signing.loads(token, salt=SALT)
        return Unsubscribe(int(user_id), int(network_id), str(kind))
    except (signing.BadSignature, ValueError, TypeError):
        return None
