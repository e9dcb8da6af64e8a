"""The key under which a member's response and draft are kept: not the member's id.

``owner_key`` is an HMAC of the survey and the member under a key derived from the server's
secret. The server computes it for the member who is signed in, to find their own response; from
the database alone (or an export, a page, a log) it cannot be turned back into a member.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.utils.encoding import force_bytes

SALT = b"tsunagu.surveys.owner"


def _secret() -> bytes:
    return hashlib.sha256(SALT + force_bytes(settings.SECRET_KEY)).digest()


def owner_key(survey_id: int, user_id: int) -> str:
    message = f"{survey_id}:{user_id}".encode()
    return hmac.new(_secret(), message, hashlib.sha256).hexdigest()
