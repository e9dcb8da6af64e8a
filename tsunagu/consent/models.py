"""A network's purpose of use and privacy policy, in published versions, and who accepted
which version, when and how."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from tsunagu.core.markdown import render_markdown
from tsunagu.tenancy.models import Membership, Network


class PolicyVersion(models.Model):
    """One version of the policy. A draft (no number) may change; a published version never
    does: a change is a new version, which every member is asked to accept."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    purpose = models.TextField(
        _("purpose of use"), max_length=20000, help_text=_("Markdown is supported.")
    )
    purpose_html = models.TextField(editable=False, blank=True)
    policy = models.TextField(
        _("privacy policy"), max_length=50000, help_text=_("Markdown is supported.")
    )
    policy_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects: ClassVar[models.Manager[PolicyVersion]] = ScopedManager(network="network")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "number"],
                condition=Q(number__isnull=False),
                name="consent_one_number_per_network",
            ),
            models.UniqueConstraint(
                fields=["network"],
                condition=Q(number__isnull=True),
                name="consent_one_draft_per_network",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network_id} v{self.number or 'draft'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_was_published", False):
            raise ValueError("A published policy version is never changed: publish a new one.")
        # Rendered once when written, not on every page that shows it.
        self.purpose_html = str(render_markdown(self.purpose))
        self.policy_html = str(render_markdown(self.policy))
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.number is not None

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> PolicyVersion:
        instance = super().from_db(db, field_names, values)
        instance._was_published = instance.number is not None  # type: ignore[attr-defined]
        return instance


class HowGiven(models.TextChoices):
    JOIN = "join", _("When joining")
    PAGE = "page", _("On the policy page")
    EXIT_INTERVIEW = "exit_interview", _("At the exit interview")
    HR_SYSTEM = "hr_system", _("Through the company's HR system")
    DEMO = "demo", _("Demo data")


class Consent(models.Model):
    """A member accepted one version. One row per member and version: the first acceptance
    is the one that counts."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(PolicyVersion, on_delete=models.RESTRICT, related_name="consents")
    accepted_at = models.DateTimeField()
    how = models.CharField(max_length=20, choices=HowGiven.choices)

    objects: ClassVar[models.Manager[Consent]] = ScopedManager(network="network")

    class Meta:
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "version"], name="consent_once_per_version"
            )
        ]
        indexes = [models.Index(fields=["network", "version"])]

    def __str__(self) -> str:
        return f"{self.membership_id} v{self.version_id} {self.how}"
