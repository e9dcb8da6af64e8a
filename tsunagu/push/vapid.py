"""VAPID keys (RFC 8292): the pair that identifies this site to the browsers' push services.

Keys are written as browsers take them: the private key as its 32-byte number, the public key as
the 65-byte uncompressed P-256 point, both base64url without padding. This module imports no
Django, so that settings.py can use it.
"""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Raises ValueError for anything that is not base64url (padding optional)."""
    if not text or any(c not in _ALPHABET for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")


def public_key_of(private_key: str) -> str:
    number = int.from_bytes(b64url_decode(private_key), "big")
    key = ec.derive_private_key(number, ec.SECP256R1())
    return b64url(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def generate_pair() -> tuple[str, str]:
    """A new (private, public) pair."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    return private, public_key_of(private)


def data_dir_private_key(path: Path) -> str:
    """The embedded setup's private key, made once into DATA_DIR (mode 0600) as the signing key
    is, so that devices subscribed in the demo keep receiving after a restart."""
    if not path.exists():
        handle, draft = tempfile.mkstemp(dir=path.parent, prefix=".vapid.")
        try:
            with os.fdopen(handle, "w") as file:
                file.write(generate_pair()[0] + "\n")
            os.link(draft, path)
        except FileExistsError:
            pass  # another process starting at the same time made it first
        finally:
            os.unlink(draft)
    return path.read_text().strip()
