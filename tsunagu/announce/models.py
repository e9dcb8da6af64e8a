"""The office's announcement mail (一斉メール): one message, one audience, sent once.

An announcement is written as a draft, then sent: the send fixes its audience as one
``Delivery`` row per member, created before any mail goes. Each row is claimed before its mail is
handed to the server (accounts/delivery.claim), so a chunk delivered twice, two workers or a run
restarted after a crash mail no one twice.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from tsunagu.tenancy.models import Membership, Network

SUBJECT_MAX = 120
BODY_MAX = 20000
DEFAULT_MONTHLY_CAP = 4
HIGHEST_MONTHLY_CAP = 31


class Audience(models.TextChoices):
    ALL = "all", _("Everyone in the network")
    ALUMNI = "alumni", _("Alumni (supporters included)")
    EMPLOYEES = "employees", _("Employees")
    SEGMENT = "segment", _("Alumni by leaving year and department")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    DONE = "done", _("Done")


class AnnounceSettings(models.Model):
    """How many announcements a network may send in a calendar month (the network's days)."""

    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="+")
    monthly_cap = models.PositiveSmallIntegerField(
        _("announcements per month"),
        default=DEFAULT_MONTHLY_CAP,
        validators=[MaxValueValidator(HIGHEST_MONTHLY_CAP)],
        help_text=_(
            "Protects members from too much mail. Test mails to yourself do not count. "
            "0 stops announcements."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[AnnounceSettings]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("announcement settings")
        verbose_name_plural = _("announcement settings")

    def __str__(self) -> str:
        return f"{self.network_id}: {self.monthly_cap} a month"


class Announcement(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Written in the composer's form when it is first shown: a form posted twice (a double
    # click, a reload) names the same announcement, which the unique constraint keeps single.
    key = models.UUIDField(editable=False)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX)
    body = models.TextField(_("message"), max_length=BODY_MAX)
    source_url = models.URLField(_("link"), max_length=500, blank=True)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.ALL
    )
    left_from = models.PositiveSmallIntegerField(
        _("left in or after (year)"), null=True, blank=True
    )
    left_to = models.PositiveSmallIntegerField(_("left in or before (year)"), null=True, blank=True)
    department = models.CharField(_("last department contains"), max_length=100, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.DRAFT)
    # Each edit of the draft counts: the send button names the version the operator looked at.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The send: who, when, to how many; then, once every member's mail has an outcome, the
    # counts (kept here so that the list of sends reads no delivery rows).
    sent_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_by_name = models.CharField(max_length=150, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    audience_size = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    gone_count = models.PositiveIntegerField(default=0)
    # Chunks are queued one a minute from queued_at; a send still unfinished long after its last
    # chunk was due lost its tasks (tasks.resume_announcements queues them again).
    last_chunk_due_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Announcement]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        constraints = [
            models.UniqueConstraint(fields=["network", "key"], name="announce_one_per_form")
        ]
        indexes = [
            models.Index(fields=["network", "-created_at"], name="announce_recent"),
            models.Index(fields=["network", "state", "queued_at"], name="announce_by_month"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_draft(self) -> bool:
        return self.state == State.DRAFT

    @property
    def in_progress(self) -> bool:
        return self.state in (State.QUEUED, State.SENDING)


class DeliveryState(models.TextChoices):
    # Not sent yet, being sent, or waiting for a retry; "Waiting" alone is an events' waiting list.
    PENDING = "pending", pgettext_lazy("announcement delivery", "Waiting")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped: announcements turned off")
    GONE = "gone", _("Skipped: no longer a member")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One member's copy of one announcement."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="deliveries"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    sending_since = models.DateTimeField(null=True, blank=True)
    # A passing trouble of the mail server: the retry task's turn comes then.
    retry_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    objects: ClassVar[models.Manager[Delivery]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"], name="announce_one_mail_per_member"
            )
        ]
        indexes = [
            models.Index(
                fields=["network", "announcement", "state"], name="announce_delivery_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.announcement_id} → {self.user_id}: {self.state}"
