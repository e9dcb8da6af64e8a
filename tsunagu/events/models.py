from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from tsunagu.core.markdown import render_markdown
from tsunagu.core.storage import private_storage
from tsunagu.core.validators import validate_image_file
from tsunagu.tenancy.models import Membership, Network

from .files import cover_path, photo_path

MAX_FEE = 10_000_000
MAX_CAPACITY = 100_000


class Category(models.TextChoices):
    MEETUP = "meetup", _("Meetup")
    STUDY = "study", _("Study session")
    SEMINAR = "seminar", _("Seminar")
    PITCH = "pitch", _("Pitch event")
    PARTY = "party", _("Party")
    TOUR = "tour", _("Office tour")
    FAMILY = "family", _("Family day")
    VOLUNTEER = "volunteer", _("Volunteer work")
    ASSEMBLY = "assembly", _("General assembly")
    OTHER = "other", _("Other")


class Audience(models.TextChoices):
    ALL = "all", _("Everyone in the network")
    ALUMNI = "alumni", _("Alumni only")
    EMPLOYEES = "employees", _("Employees only")


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")


class Series(models.Model):
    """Recurring events, such as a weekly self-introduction relay with one presenter each time."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, max_length=5000, help_text=_("Markdown is supported.")
    )
    cadence = models.CharField(
        _("how often"), max_length=16, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Series]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class Event(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(
        Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("presenter"),
    )
    recording_url = models.URLField(
        _("recording URL"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("A link to the recording, once the event has taken place."),
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.MEETUP
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(
        _("venue"), max_length=300, blank=True, help_text=_("Address or place; empty for online.")
    )
    online_url = models.URLField(
        _("online meeting URL"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Shown only to participants whose place is confirmed."),
    )
    fee = models.PositiveIntegerField(
        _("fee (yen)"),
        default=0,
        validators=[MaxValueValidator(MAX_FEE)],
        help_text=_("0 for a free event."),
    )
    payment_note = models.CharField(
        _("how to pay"),
        max_length=300,
        blank=True,
        help_text=_("e.g. “Pay in cash at the reception”."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
        help_text=_("Empty for no limit. Places go to the first who apply."),
    )
    waitlist = models.BooleanField(
        _("waiting list when full"),
        default=True,
        help_text=_("Waiting applicants move up automatically when a place frees."),
    )
    needs_approval = models.BooleanField(_("organisers approve each application"), default=False)
    deadline = models.DateTimeField(
        _("application deadline"), null=True, blank=True, help_text=_("Empty: until it starts.")
    )
    cancel_until = models.DateTimeField(
        _("cancellation possible until"),
        null=True,
        blank=True,
        help_text=_("Empty: until it starts."),
    )
    called_off_at = models.DateTimeField(_("called off"), null=True, blank=True, editable=False)
    call_off_reason = models.TextField(_("why it is called off"), blank=True, max_length=1000)
    description = models.TextField(
        _("description"), blank=True, max_length=20000, help_text=_("Markdown is supported.")
    )
    description_html = models.TextField(editable=False, blank=True)
    notes = models.TextField(
        _("notes"),
        blank=True,
        max_length=2000,
        help_text=_("What to bring, dress code and the like."),
    )
    questions = models.JSONField(_("questions for applicants"), default=list, blank=True)
    cover = models.ImageField(
        _("cover image"),
        upload_to=cover_path,
        storage=private_storage,
        blank=True,
        validators=[validate_image_file],
    )
    audience = models.CharField(
        _("who may apply"), max_length=16, choices=Audience.choices, default=Audience.ALL
    )
    show_participants = models.BooleanField(_("members can see who takes part"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Moves on with every change to the event's organisers, registrations and photos
    # (apps.py): what the event page shows of them is cached under it.
    revision = models.PositiveIntegerField(default=0, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    followed_up_at = models.DateTimeField(null=True, blank=True, editable=False)
    report = models.TextField(
        _("report"),
        blank=True,
        max_length=20000,
        help_text=_("How it went, for those who came and those who could not. Markdown."),
    )
    report_html = models.TextField(editable=False, blank=True)

    objects: ClassVar[models.Manager[Event]] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["network", "starts_at"]),
            models.Index(fields=["reminded_at", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Rendered once when written, not on every page that shows it.
        self.description_html = str(render_markdown(self.description))
        self.report_html = str(render_markdown(self.report))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {f"{name}_html" for name in ("description", "report") if name in update_fields}
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(
            "events:detail", kwargs={"network_slug": self.network.slug, "event_id": self.pk}
        )

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.venue

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def applications_close_at(self) -> Any:
        return self.deadline or self.starts_at

    @property
    def is_open(self) -> bool:
        return self.called_off_at is None and timezone.now() < self.applications_close_at

    @property
    def can_cancel_now(self) -> bool:
        return timezone.now() < (self.cancel_until or self.starts_at)


class Organiser(models.Model):
    """A member who runs an event with the operators: edits it, approves, checks people in."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="organisers")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    objects: ClassVar[models.Manager[Organiser]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "membership"], name="one_organiser_row")
        ]
        indexes = [models.Index(fields=["network", "membership"])]

    def __str__(self) -> str:
        return f"{self.membership_id} organises {self.event_id}"


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    PENDING = "pending", _("Awaiting approval")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Declined")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")


# Statuses that hold one of the event's places.
SEATED = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW)
# Statuses of a live application: applying again is refused.
LIVE = (*SEATED, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING)
# Statuses under which the member may not apply again (actions.do_register refuses them).
APPLIED = (*LIVE, RegistrationStatus.DECLINED)


class Registration(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=RegistrationStatus.choices)
    answers = models.JSONField(default=list, blank=True)
    # When the current application was made: the waiting list is served in this order.
    applied_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Registration]] = ScopedManager(network="network")

    class Meta:
        ordering = ["applied_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="one_registration_per_event")
        ]
        indexes = [
            models.Index(fields=["network", "event", "status"]),
            models.Index(fields=["network", "user", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.event_id}: {self.status}"

    @property
    def holds_seat(self) -> bool:
        return self.status in SEATED

    @property
    def is_live(self) -> bool:
        return self.status in LIVE


class ListVisit(models.Model):
    """When a member last opened the event list: later events are marked "new" for them.

    Views close together are one visit (``VISIT_GAP``): the list is not written on every view,
    and an event stays "new" while the member goes back and forth during that visit.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()
    # The end of the visit before this one: events created since then are "new".
    new_since = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[ListVisit]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "user"], name="one_event_list_visit")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw the events of {self.network_id} at {self.seen_at}"


class Photo(models.Model):
    """A photo of an event, posted by its organisers with the report, or an image of its
    description. Either is served only to members who may see the event."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        _("photo"), upload_to=photo_path, storage=private_storage, validators=[validate_image_file]
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # An image of the description (a map, a speaker) rather than of the report.
    in_description = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Photo]] = ScopedManager(network="network")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["network", "event"])]

    def __str__(self) -> str:
        return self.caption or self.image.name


class Feedback(models.Model):
    """A participant's rating and comment after an event; one per participant."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(
        _("how was it?"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Feedback]] = ScopedManager(network="network")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="one_feedback_per_event")
        ]
        indexes = [models.Index(fields=["network", "event"])]

    def __str__(self) -> str:
        return f"{self.user_id} rated {self.event_id}: {self.rating}"


class CalendarFeedKey(models.Model):
    """The version of a member's calendar feed addresses. The addresses carry it: a new version,
    made when the member asks for new addresses, ends the old ones. No row means version 0."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=0)

    objects: ClassVar[models.Manager[CalendarFeedKey]] = ScopedManager(network="network")

    def __str__(self) -> str:
        return f"calendar feed of {self.membership_id}: version {self.version}"
