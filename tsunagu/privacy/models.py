"""A person's requests about their own data: exports (開示) and erasure (削除)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from tsunagu.core.storage import private_storage


class DataExport(models.Model):
    """One "download my data" request; the ZIP lives in private storage until it expires."""

    EVERY = timedelta(hours=24)  # one request per this long
    VALID = timedelta(days=7)  # how long the link works

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(storage=private_storage, blank=True)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["user", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.requested_at:%Y-%m-%d %H:%M}"


class Erasure(models.Model):
    """An account's erasure: scheduled, then cancelled or carried out when it falls due."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField()
    # True: posts stay, shown as by 「退会したメンバー」; False: replaced by a tombstone.
    keep_posts = models.BooleanField(default=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(cancelled_at__isnull=True, done_at__isnull=True),
                name="privacy_erasure_due",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(cancelled_at__isnull=True, done_at__isnull=True),
                name="privacy_one_pending_erasure",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} due {self.due_at:%Y-%m-%d}"
