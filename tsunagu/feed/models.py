"""The home feed's own records: a member's visits, welcomes, and the search index."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from tsunagu.tenancy.models import Membership, Network


class Visit(models.Model):
    """When a member last looked at the home feed, for the "new since your last visit" marks.

    ``new_since`` is the end of the previous visit: it moves only when the member comes back
    after a pause, so reloading the page or scrolling does not wipe the marks.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    member = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="+")
    last_seen_at = models.DateTimeField(default=timezone.now)
    new_since = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Visit]] = ScopedManager(network="network")

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.last_seen_at:%Y-%m-%d %H:%M}"


class Welcome(models.Model):
    """One member's "welcome" stamp for a newcomer."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    newcomer = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Welcome]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["newcomer", "member"], name="feed_welcome_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.newcomer_id}"


class SearchKind(models.TextChoices):
    THREAD = "thread"
    COMMENT = "comment"
    EVENT = "event"


class SearchEntry(models.Model):
    """The normalised text of one post or event (profiles.normalize), for the search box.

    It only finds candidates: every search joins back to the post through its app's access
    rules, so a hidden thread or an event for another audience is never returned.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=SearchKind.choices)
    object_id = models.PositiveBigIntegerField()
    text = models.TextField()

    objects: ClassVar[models.Manager[SearchEntry]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="feed_search_once")
        ]
        indexes = [models.Index(fields=["network", "kind"], name="feed_search_kind")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
