"""allauth's sign-up form, made to take the same work for a known address as for a new one.

A new address costs a password hash (the account is created) and a mail; a known one, where
``ACCOUNT_PREVENT_ENUMERATION`` answers alike, only a mail. The hash is most of the time, so
the known address answered forty times sooner and told who has an account. Here it hashes the
password too, and throws the hash away. (The extra fields are ``forms.SignupForm``; this module
is separate because allauth's forms import that one.)
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest


class AccountSignupForm(SignupForm):
    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
