from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from tsunagu.tenancy.models import Network

from .kinds import KINDS


class Notification(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True, max_length=2000)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Why the e-mail has not gone (yet): the mail server's last answer, or that it refused the
    # address before. Since when a worker has been sending it: a copy of the task sends nothing.
    email_error = models.CharField(max_length=200, blank=True)
    email_sending_since = models.DateTimeField(null=True, blank=True)
    # False when the member turned the kind off in the app but keeps its e-mail: the row then
    # only carries the mail (sent once, retried, its failure recorded) and is never listed.
    in_app = models.BooleanField(default=True)

    objects: ClassVar[models.Manager[Notification]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["network", "recipient", "read_at"])]

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        """The sentence in the current language; a kind that is gone still shows its body."""
        kind = KINDS.get(self.kind)
        if kind is None:
            return self.body
        params: dict[str, Any] = {key: str(value) for key, value in self.params.items()}
        try:
            return gettext(str(kind.message)) % params
        except (KeyError, ValueError, TypeError):
            return str(kind.label)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


def inbox(network: Network, user_id: int) -> models.QuerySet[Notification]:
    """The member's notifications in the app: the bell, the list and what they can open."""
    return Notification.objects.filter(network=network, recipient_id=user_id, in_app=True)


class NotificationPreference(models.Model):
    """A member's choice of channels for one kind in one network. An absent row, or a channel
    left empty (null), means the kind's default for that channel."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    email = models.BooleanField(null=True, default=None)
    inapp = models.BooleanField(null=True, default=None)
    push = models.BooleanField(null=True, default=None)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[NotificationPreference]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user", "kind"], name="one_preference_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: in-app {self.inapp}, e-mail {self.email}, push {self.push}"
