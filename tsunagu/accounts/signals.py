"""A logout, a new password or a deactivated account ends the user's open sockets in every
network: they connect again, and the handshake admits only a session that is still valid."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from tsunagu.realtime.events import end_account_sockets


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _note_ended_sessions(sender: type, instance: Any, **kwargs: Any) -> None:
    # set_password() keeps the new password in _password until the row is saved.
    ends = instance.pk is not None and (
        getattr(instance, "_password", None) is not None or not instance.is_active
    )
    instance.__dict__["_ends_sessions"] = ends


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _end_sockets_of_ended_sessions(sender: type, instance: Any, **kwargs: Any) -> None:
    if instance.__dict__.pop("_ends_sessions", False):
        end_account_sockets(instance.pk)


@receiver(user_logged_out)
def _end_sockets_at_logout(sender: type, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.pk is not None:
        end_account_sockets(user.pk)
