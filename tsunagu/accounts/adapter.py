from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import translation

from tsunagu.core.clientip import client_ip
from tsunagu.core.queue import queue_after_commit

from .tasks import message_to_tasks, send_account_mail


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Mail goes out in the language of its recipient, whatever the language of the request.
        user = context.get("user")
        if user is None:
            # Mails such as "account already exists" carry no user: the address tells us whose.
            from .models import User

            user = User.objects.filter(email__iexact=email).first()
        language = getattr(user, "language", None) or translation.get_language()
        request = allauth_context.request
        with translation.override(language):
            message = self.render_mail(
                template_prefix,
                email,
                {
                    "request": request,
                    "email": email,
                    "current_site": get_current_site(request),
                    **context,
                },
            )
        # Rendered here, sent by the task queue: signing up with a new address and with a known
        # one each queue one mail, and neither waits for the mail server.
        for payload in message_to_tasks(message):
            queue_after_commit(send_account_mail, payload)

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits (login, sign-up, password reset) count by this address.
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied("Unable to determine client IP address")
        return ip
