"""A mail server that refuses every message, as one does when it is down."""

from __future__ import annotations

from smtplib import SMTPServerDisconnected

from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise SMTPServerDisconnected("Connection unexpectedly closed")
