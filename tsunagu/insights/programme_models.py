"""The supporter programme and the outcome ledger: the ranking's weights, the yearly awards,
and what the network produced (成果台帳).

Kept apart from the activity tables (``models.py``) so that each part reads in one sitting;
``models.py`` imports these so that Django finds them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from tsunagu.tenancy.models import Membership, Network

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

MAX_WEIGHT = 100
MAX_VALUE_YEN = 10_000_000_000_000  # ten trillion yen: anything above is a typing mistake
NOTE_MAX = 2000


def _weight(label: str | _StrPromise, default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label,
        default=default,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_WEIGHT)],
        help_text=_("Points for each, from 0 to 100."),
    )


class ProgrammeSettings(models.Model):
    """A network's ranking weights and who besides the operators sees the ranking.

    A network without a row uses the defaults (``for_network()``): a hosted event counts most,
    as it is the most work; a welcome counts more than a stamp, as it is what newcomers notice.
    """

    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="+")
    weight_posts = _weight(_("a post"), 3)
    weight_stamps = _weight(_("a stamp"), 1)
    weight_welcomes = _weight(_("a welcome"), 2)
    weight_events = _weight(_("an event hosted"), 10)
    supporters_see_ranking = models.BooleanField(
        _("supporters see the ranking"),
        default=False,
        help_text=_("Otherwise only operators see it."),
    )

    objects: ClassVar[models.Manager[ProgrammeSettings]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("supporter programme settings")

    def __str__(self) -> str:
        return f"programme settings of {self.network_id}"

    @classmethod
    def for_network(cls, network_id: int) -> ProgrammeSettings:
        """The network's settings, or the defaults (unsaved) when the operators set none."""
        found = cls.objects.filter(network_id=network_id).first()
        return found if found is not None else cls(network_id=network_id)


class AwardKind(models.TextChoices):
    NEWCOMER = "newcomer", _("Newcomer award")
    MOST_ACTIVE = "most_active", _("Most active award")
    INNOVATION = "innovation", _("Innovation award")


class Award(models.Model):
    """One of the year's three awards, chosen by the operators from the year's ranking."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("award"), max_length=16, choices=AwardKind.choices)
    # An award is about a person: when they erase their account, it goes with them.
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("why"), max_length=200, blank=True)
    chosen_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Award]] = ScopedManager(network="network")

    class Meta:
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "year", "kind"], name="insights_award_once_a_year"
            )
        ]
        indexes = [models.Index(fields=["network", "member"], name="insights_award_member")]

    def __str__(self) -> str:
        return f"{self.year} {self.kind} → {self.member_id}"


class OutcomeKind(models.TextChoices):
    COMEBACK_HIRE = "comeback_hire", _("Comeback hire")
    REFERRAL_HIRE = "referral_hire", _("Referral hire")
    OUTSOURCING = "outsourcing", _("Outsourcing contract")
    SIDE_JOB = "side_job", _("Side-job contract")
    BUSINESS_DEAL = "business_deal", _("Business deal")
    SPEAKER = "speaker", _("Speaker")
    MEDIA = "media", _("Media coverage")


class OutcomeStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("outcome", "Proposed")
    CONFIRMED = "confirmed", pgettext_lazy("outcome", "Confirmed")
    DISMISSED = "dismissed", pgettext_lazy("outcome", "Dismissed")


class Outcome(models.Model):
    """Something the network produced, for the management meeting's 「やる意味ある?」.

    Operators record it, or confirm one proposed by another app (``ledger.propose_outcome``).
    The members it names are seen by operators only.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=OutcomeKind.choices)
    on = models.DateField(_("date"))
    value_yen = models.PositiveBigIntegerField(
        _("value (yen)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_VALUE_YEN)],
        help_text=_("Optional: the contract's or the hire's value in yen."),
    )
    note = models.TextField(_("note"), blank=True, max_length=NOTE_MAX)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=OutcomeStatus.choices,
        default=OutcomeStatus.CONFIRMED,
    )
    # Where a proposed outcome came from: the app's row ("careers.application", 42).
    source = models.CharField(max_length=40, blank=True)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Outcome]] = ScopedManager(network="network")

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [
            # A hire proposed twice (a signal sent again) is one outcome.
            models.UniqueConstraint(
                fields=["network", "source", "source_id"],
                condition=~models.Q(source=""),
                name="insights_outcome_proposed_once",
            )
        ]
        indexes = [models.Index(fields=["network", "status", "-on"], name="insights_outcome_day")]

    def __str__(self) -> str:
        return f"{self.kind} {self.on}"


class OutcomeMember(models.Model):
    """A member an outcome names. When they erase their account the row stays, anonymous."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="people")
    member = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")

    objects: ClassVar[models.Manager[OutcomeMember]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outcome", "member"], name="insights_outcome_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.outcome_id}"


class QuarterNote(models.Model):
    """What the office adds to a quarter's report for the management meeting: two quotes from
    members (with how they are credited), chosen by the operators."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    quarter = models.CharField(max_length=7)  # 2026-Q4
    quote_1 = models.TextField(_("first quote"), blank=True, max_length=400)
    quote_1_by = models.CharField(_("credited as"), blank=True, max_length=100)
    quote_2 = models.TextField(_("second quote"), blank=True, max_length=400)
    quote_2_by = models.CharField(_("credited as"), blank=True, max_length=100)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[QuarterNote]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "quarter"], name="insights_quarter_once")
        ]

    def __str__(self) -> str:
        return f"{self.network_id}: {self.quarter}"
