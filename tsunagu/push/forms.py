"""What a browser sends when it subscribes: PushSubscription.toJSON(), checked before it is kept."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .vapid import b64url_decode

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def is_push_service(endpoint: str) -> bool:
    """An https address of one of the push services we send to (TSUNAGU_PUSH_SERVICE_HOSTS), or
    of this machine where TSUNAGU_PUSH_ALLOW_LOCAL says so. Checked again before each push."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or parts.username is not None or parts.password is not None:
        return False
    if settings.TSUNAGU_PUSH_ALLOW_LOCAL and host in LOCAL_HOSTS:
        return parts.scheme in ("http", "https")
    if parts.scheme != "https" or port not in (None, 443) or _is_ip(host):
        return False
    return any(
        host == allowed or host.endswith("." + allowed)
        for allowed in (h.lower().strip(".") for h in settings.TSUNAGU_PUSH_SERVICE_HOSTS)
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class SubscriptionForm(forms.Form):
    endpoint = forms.CharField(max_length=2000)
    p256dh = forms.CharField(max_length=100)
    auth = forms.CharField(max_length=40)

    @classmethod
    def from_json(cls, data: Any) -> SubscriptionForm:
        """The form for PushSubscription.toJSON(): {"endpoint": …, "keys": {"p256dh", "auth"}}."""
        if not isinstance(data, dict):
            data = {}
        keys = data.get("keys")
        if not isinstance(keys, dict):
            keys = {}
        fields = {"endpoint": data.get("endpoint"), **keys}
        return cls({name: value for name, value in fields.items() if isinstance(value, str)})

    def clean_endpoint(self) -> str:
        endpoint: str = self.cleaned_data["endpoint"]
        if not is_push_service(endpoint):
            raise forms.ValidationError(
                _("This browser's push service is not one this site sends to."), code="service"
            )
        return endpoint

    def clean_p256dh(self) -> str:
        value: str = self.cleaned_data["p256dh"]
        try:
            raw = b64url_decode(value)
            if len(raw) != 65 or raw[0] != 4:
                raise ValueError("not an uncompressed point")
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise forms.ValidationError(
                _("The browser's key is not a P-256 public key."), code="p256dh"
            ) from None
        return value.rstrip("=")

    def clean_auth(self) -> str:
        value: str = self.cleaned_data["auth"]
        try:
            if len(b64url_decode(value)) != 16:
                raise ValueError("not 16 bytes")
        except ValueError:
            raise forms.ValidationError(
                _("The browser's authentication secret is not 16 bytes."), code="auth"
            ) from None
        return value.rstrip("=")
