"""The edit token of an anonymous response: a random secret the member holds (a cookie, a link),
never derived from the member, of which only a hash is stored.

``edit_key(token)`` finds the response (or its pending entry); ``seal``/``unseal`` keep the groups
the answers are counted in beside the response, readable only with the token. A change of the
server's secret changes none of them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

TOKEN_BYTES = 32
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def valid_token(token: object) -> bool:
    return isinstance(token, str) and bool(_TOKEN.match(token))


def edit_key(token: str) -> str:
    return hashlib.sha256(b"tsunagu.surveys.edit:" + token.encode()).hexdigest()


def _seal_key(token: str) -> bytes:
    return hashlib.sha256(b"tsunagu.surveys.seal:" + token.encode()).digest()


# Every sealed value has the same length: the length of a department's name must not tell it.
SEALED_BYTES = 1024


def seal(value: dict[str, Any], token: str) -> str:
    plain = json.dumps(value).encode()
    if len(plain) > SEALED_BYTES:
        raise ValueError("too long to seal")
    nonce = secrets.token_bytes(12)
    padded = plain + b" " * (SEALED_BYTES - len(plain))  # JSON allows the trailing spaces
    data = AESGCM(_seal_key(token)).encrypt(nonce, padded, None)
    return base64.urlsafe_b64encode(nonce + data).decode()


def unseal(sealed: str, token: str) -> dict[str, Any] | None:
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        data = AESGCM(_seal_key(token)).decrypt(raw[:12], raw[12:], None)
    except (ValueError, InvalidTag):
        return None
    value = json.loads(data)
    return value if isinstance(value, dict) else None
