"""Signing out of a browser stops its pushes: whoever uses the browser next must not see the
notifications of the account that left it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from .actions import do_remove_devices_of_session


@receiver(user_logged_out, dispatch_uid="push.forget_device_on_logout")
def forget_device_on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any):
    if request is None or user is None or not hasattr(request, "session"):
        return
    do_remove_devices_of_session(user, request.session)
