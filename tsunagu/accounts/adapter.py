from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.utils import translation

from tsunagu.core.clientip import client_ip
from tsunagu.core.queue import queue_after_commit
from tsunagu.tenancy.branding import entry_brand_for, next_of

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

    def respond_email_verification_sent(self, request: HttpRequest, user: Any) -> HttpResponseBase:
        # Signing up (or logging in unverified) on the way to a network: the page that says the
        # mail is sent keeps that network's brand (tenancy/branding.py reads ``next`` again).
        response = super().respond_email_verification_sent(request, user)
        target = next_of(request)
        if entry_brand_for(target) is not None and isinstance(response, HttpResponseRedirect):
            response["Location"] = f"{response['Location']}?{urlencode({'next': target})}"
        return response

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        # The link in the mail opens a page with the same brand as the sign-up it came from.
        url: str = super().get_email_confirmation_url(request, emailconfirmation)
        target = next_of(request) if request is not None else ""
        if entry_brand_for(target) is not None and "?" not in url:
            url = f"{url}?{urlencode({'next': target})}"
        return url

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits (login, sign-up, password reset) count by this address.
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied("Unable to determine client IP address")
        return ip
