from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from tsunagu.core.markdown import render_markdown
from tsunagu.core.validators import validate_image_file

RESERVED_SLUGS = frozenset({"admin", "api", "accounts", "static", "media", "ws", "new", "n"})

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{1,48}[a-z0-9])$",
    _(
        "Use 3 to 50 lowercase letters, digits and hyphens, "
        "starting and ending with a letter or digit."
    ),
)


def validate_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved. Choose another one."))


color_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # followed by six hexadecimal digits, e.g. #2f5fd0.")
)


class NetworkKind(models.TextChoices):
    ALUMNI = "alumni", _("Alumni network")
    # The cross-company community of alumni networks' operators (seed 001): only the active
    # operators of active alumni networks may apply (onboarding/access.py).
    OPERATORS = "operators", _("Operators' community")


class Network(models.Model):
    """One alumni network: a company's (or a volunteer group's) community; or the operators'
    community, a network of its own kind whose members are other networks' operators."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("address"),
        max_length=50,
        unique=True,
        validators=[slug_validator, validate_not_reserved],
        help_text=_("Used in the network's web address: /n/<address>/"),
        error_messages={"unique": _("A network with this address already exists.")},
    )
    tagline = models.CharField(_("tagline"), max_length=140, blank=True)
    logo = models.ImageField(
        _("logo"), upload_to="networks/logos/", blank=True, validators=[validate_image_file]
    )
    brand_color = models.CharField(
        _("brand colour"), max_length=7, default="#2f5fd0", validators=[color_validator]
    )
    description = models.TextField(
        _("description"), blank=True, max_length=20000, help_text=_("Markdown is supported.")
    )
    description_html = models.TextField(editable=False, blank=True)
    eligibility = models.TextField(
        _("who may join"),
        blank=True,
        max_length=5000,
        help_text=_("Shown to people who apply, e.g. “Former employees of 三ツ葉商事”."),
    )
    join_questions = models.JSONField(_("questions for applicants"), default=list, blank=True)
    members_may_create_events = models.BooleanField(
        _("any member may organise events"),
        default=False,
        help_text=_("Otherwise only operators and supporters create events."),
    )
    supporters_may_moderate = models.BooleanField(
        _("supporters may moderate boards and talk rooms"),
        default=False,
        help_text=_(
            "Supporters then handle reports, hide posts and lock threads as operators do. "
            "Turning it off takes the right away at once."
        ),
    )
    supporters_may_create_surveys = models.BooleanField(
        _("supporters may run surveys"),
        default=False,
        help_text=_("Otherwise only operators create surveys."),
    )
    talk_enter_sends = models.BooleanField(
        _("Enter sends a talk message"),
        default=False,
        help_text=_(
            "Shift+Enter then starts a new line. Otherwise Enter starts a new line and "
            "Ctrl+Enter (⌘+Enter on a Mac) sends."
        ),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=NetworkKind.choices, default=NetworkKind.ALUMNI
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Rendered once when written, not on every page that shows it.
        self.description_html = str(render_markdown(self.description))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "description" in update_fields:
            kwargs["update_fields"] = {*update_fields, "description_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"/n/{self.slug}/"

    @property
    def is_operators_community(self) -> bool:
        return self.kind == NetworkKind.OPERATORS

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Network:
        instance = super().from_db(db, field_names, values)
        instance._loaded_slug = instance.slug  # type: ignore[attr-defined]
        return instance


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    SUPPORTER = "supporter", _("Supporter")
    EMPLOYEE = "employee", _("Employee")
    ALUMNI = "alumni", _("Alumni")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    # Left or removed: the label says what both mean (「退会」 read as the person's own choice).
    LEFT = "left", pgettext_lazy("membership status", "No longer a member")


class Membership(models.Model):
    """A person's place in one network. One account may hold several, one per network."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ALUMNI)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed"), auto_now_add=True)
    # When the member last opened the network (login or a page's live connection), at most
    # one write every quarter of an hour: for the operators' "last active" and the funnel.
    last_seen_at = models.DateTimeField(_("last active"), null=True, blank=True)
    # Set when the member left by their own choice (not removed by the office): such a person
    # may come back through a new invitation or link.
    left_by_choice = models.BooleanField(_("left by their own choice"), default=False)

    objects: ClassVar[models.Manager[Membership]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["network", "user"], name="one_membership_per_network")
        ]
        indexes = [models.Index(fields=["network", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.network_id} ({self.role})"

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    @property
    def is_operator(self) -> bool:
        return self.is_active and self.role == Role.OPERATOR

    @property
    def is_supporter_or_operator(self) -> bool:
        return self.is_active and self.role in (Role.OPERATOR, Role.SUPPORTER)
