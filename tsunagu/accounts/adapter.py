from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import translation

from tsunagu.core.clientip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Mail goes out in the language of its recipient, whatever the language of the request.
        user = context.get("user")
        if user is None:
            # Mails such as "account already exists" carry no user: the address tells us whose.
            from .models import User

            user = User.objects.filter(email__iexact=email).first()
        language = getattr(user, "language", None) or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits (login, sign-up, password reset) count by this address.
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied("Unable to determine client IP address")
        return ip
