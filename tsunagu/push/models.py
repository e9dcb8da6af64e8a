from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PushSubscription(models.Model):
    """One browser on one device that accepted pushes for its signed-in user.

    Global, like the account it belongs to: the member chooses per network and kind what is
    pushed (notify.NotificationPreference), and a push for a network goes only to its active
    members. The endpoint is the push service's address for this browser: a secret, never shown.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.CharField(max_length=2000, unique=True)
    # The browser's P-256 public key and authentication secret (base64url), to encrypt for it.
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    # What the member sees in the list of devices ("Chrome · Android"), from the User-Agent.
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # Pushes that failed in a row, and the push service's last answer: shown in the list.
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label or self.endpoint[:60]
