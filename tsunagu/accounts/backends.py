"""Authentication, with the signed-in user read from the cache on every request.

Every page loads the request's user. Through the ORM that query cost about a third of a light
page's CPU, so the user's row is kept in the cache, without the password hash: in its place the
session hash computed from it, which Django compares with the session's (the session holds the
same value). The password loads from the database if anything asks for it, and a save writes
only the fields that were loaded. The entry is dropped whenever the user is saved or deleted, so
a new password, a deactivation or a new name shows on the next request.

The user comes with ``mail_refused``: whether mail to their address was refused for good
(``UndeliverableAddress``), asked in the same query as the row, so that every page can ask them
to update it at no cost. A refusal noted or forgotten drops the entry (delivery.py).

Only where every process reads the same cache (``SHARED_CACHE``: Redis); with a cache per
process one process would go on using a row another one changed.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tsunagu.core import caching

TIMEOUT = 5 * 60


def _key(user_id: object) -> str:
    return caching.key("accounts", "user", user_id)


class AuthenticationBackend(AllauthBackend):
    """allauth's backend (log in by e-mail), reading the signed-in user through the cache."""

    def get_user(self, user_id: Any) -> Any:
        if not settings.SHARED_CACHE:
            return self._load(user_id)
        key = _key(user_id)
        entry = caching.read(key)
        if entry is None:
            user = self._load(user_id)  # None for a missing or inactive user
            if user is not None:
                names = [f.attname for f in user._meta.concrete_fields if f.attname != "password"]
                values = [getattr(user, name) for name in names]
                entry = (names, values, user.get_session_auth_hash(), user.mail_refused)
                caching.store(key, entry, TIMEOUT)
            return user
        names, values, session_hash, mail_refused = entry
        user = get_user_model().from_db(DEFAULT_DB_ALIAS, names, values)  # password deferred
        user.__dict__["_cached_session_auth_hash"] = session_hash
        user.mail_refused = mail_refused
        return user if self.user_can_authenticate(user) else None

    def _load(self, user_id: Any) -> Any:
        from .models import UndeliverableAddress

        refused = UndeliverableAddress.objects.filter(email=Lower(OuterRef("email")))
        user: Any = (
            get_user_model()
            ._default_manager.annotate(refused=Exists(refused))
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        user.mail_refused = user.refused
        return user


def forget_user(user_id: int) -> None:
    caching.forget(_key(user_id))


@receiver([post_save, post_delete], sender=settings.AUTH_USER_MODEL)
def _user_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    forget_user(instance.pk)
