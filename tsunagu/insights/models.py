"""What members did, day by day: the ground every operator figure is computed from.

Two tables, written as things happen (``signals.py``) and filled once from older rows
(``backfill.py``):

- ``ActivityDay``: one row per member and network day on which the member was active, with
  whether they came and whether they posted. It holds no counts and nothing of what was posted:
  a message in a direct message, a group chat or to the office shows here as ``posted`` and
  nowhere else.
- ``Contribution``: one row per thing a member contributed where others see it, with the role
  the member held at that moment, never changed afterwards.

``RecordingStart`` says from which day a network older than the recording has been recorded.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from tsunagu.tenancy.models import Membership, Network, Role


class ActivityDay(models.Model):
    """A member's day in a network (the network's calendar day, ``tenancy.days``).

    ``visited``: the member was seen opening the network (``tenancy.actions.do_note_seen``).
    ``posted``: they wrote a thread, comment, message (private ones too), article or life
    update. A row with neither comes from a stamp, a welcome or an event registration alone.
    ``role`` is the member's role when the day's row was first written.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    # An erased member's days stay, anonymous, so the figures of the past do not change.
    member = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    day = models.DateField()
    role = models.CharField(max_length=16, choices=Role.choices)
    visited = models.BooleanField(default=False)
    posted = models.BooleanField(default=False)
    # Derived from older rows by the backfill: ``role`` is the role at the time it ran.
    backfilled = models.BooleanField(default=False)

    objects: ClassVar[models.Manager[ActivityDay]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            # The recording's lookup, and a member's history (cohorts).
            models.UniqueConstraint(fields=["member", "day"], name="insights_day_once")
        ]
        indexes = [
            # Active members per day, week and month, and who of them posted: a range of days
            # read from the index alone (with "posted" in it, the table is not visited).
            models.Index(fields=["network", "day", "member", "posted"], name="insights_day_posted")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.day}"


class RecordingStart(models.Model):
    """The network's day on which its activity began to be recorded as it happens, for a
    network older than the recording (written when the recording was installed).

    What the recording alone knows starts on that day: visits (so members who only read),
    the role at the moment of each contribution, and posts or stamps that were later removed.
    Earlier days hold only what ``backfill_activity`` derived. A network made later has no row:
    all of its days were recorded.
    """

    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    objects: ClassVar[models.Manager[RecordingStart]] = ScopedManager(network="network")

    def __str__(self) -> str:
        return f"{self.network_id} since {self.day}"


class ContributionKind(models.TextChoices):
    THREAD = "thread", _("Thread")
    COMMENT = "comment", _("Comment")
    MESSAGE = "message", _("Message in a talk room")
    ARTICLE = "article", _("Article")
    LIFE_UPDATE = "life_update", _("Life update")
    STAMP = "stamp", _("Stamp")
    WELCOME = "welcome", _("Welcome")
    RSVP = "rsvp", _("Event registration")
    ATTENDANCE = "attendance", _("Event attendance")
    APPLICATION = "application", _("Application")
    SURVEY_ANSWER = "survey_answer", _("Survey answer")


# Kinds that are posts: what "posters and readers" and "the office's share of posts" count.
POST_KINDS = frozenset(
    {
        ContributionKind.THREAD,
        ContributionKind.COMMENT,
        ContributionKind.MESSAGE,
        ContributionKind.ARTICLE,
        ContributionKind.LIFE_UPDATE,
    }
)


class AppendOnlyQuerySet(models.QuerySet["Contribution"]):
    """Refuses bulk changes made through ``Contribution.objects``.

    Deleting a network or a member still works: Django's cascade goes through the base manager.
    """

    def update(self, **kwargs: Any) -> int:
        raise ValueError("Contributions are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("Contributions are never deleted.")


class Contribution(models.Model):
    """One thing a member gave the network, as it was when they gave it. Append-only."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    # An erased member's contributions stay, anonymous, with their role: the shares do not move.
    member = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=16, choices=ContributionKind.choices)
    # The row it stands for: its model ("boards.thread") and id. A stamp taken back, or a post
    # deleted, stays counted: this is a record of what was done, not of what is there now.
    source = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    # The member's role at that moment; a later promotion does not move the office's share.
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField()
    day = models.DateField()  # the network's day of created_at
    # Derived from older rows by the backfill: ``role`` is the role at the time it ran.
    backfilled = models.BooleanField(default=False)

    objects: ClassVar[models.Manager[Contribution]] = ScopedManager(
        network="network", _manager_class=models.Manager.from_queryset(AppendOnlyQuerySet)
    )

    class Meta:
        constraints = [
            # One record per act: a signal sent twice, or the backfill run again, adds nothing.
            models.UniqueConstraint(
                fields=["source", "object_id", "kind"], name="insights_contribution_once"
            )
        ]
        indexes = [
            # Posts per day, kind and role (the office's share): from the index alone.
            models.Index(
                fields=["network", "day", "kind", "role"], name="insights_contribution_day"
            ),
            # One member's contributions (rankings, a newcomer's first post).
            models.Index(fields=["network", "member", "day"], name="insights_contribution_member"),
            # "Had this member attended on an earlier day?" (the repeat rate): one probe of the
            # index per attendance, without visiting the table.
            models.Index(
                fields=["network", "kind", "member", "day"], name="insights_contribution_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Contributions are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Contributions are never deleted.")


# The supporter programme and the outcome ledger, in their own module.
from .programme_models import (  # noqa: E402
    Award,
    AwardKind,
    Outcome,
    OutcomeKind,
    OutcomeMember,
    OutcomeStatus,
    ProgrammeSettings,
)
from .rollups import MonthTotals  # noqa: E402, F401 - the stored totals of closed months
from .thresholds import InsightSettings  # noqa: E402, F401 - the dashboard's settings model

__all__ = [
    "POST_KINDS",
    "ActivityDay",
    "Award",
    "AwardKind",
    "Contribution",
    "ContributionKind",
    "Outcome",
    "OutcomeKind",
    "OutcomeMember",
    "OutcomeStatus",
    "ProgrammeSettings",
    "RecordingStart",
]
