"""A member's profile in one network, with an audience for every field."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from tsunagu.core.markdown import render_markdown
from tsunagu.core.storage import private_name, private_storage
from tsunagu.core.validators import validate_image_file
from tsunagu.tenancy.models import Membership, Network

from .tokens import KeysField


class Audience(models.TextChoices):
    ONLY_ME = "me", _("Only me")
    OPERATORS = "operators", _("Me and the operators")
    MEMBERS = "members", _("Members of this network")
    # Also the members of networks linked with this one, when the member opts in to the link
    # (collab/access.py decides it).
    LINKED = "linked", _("Linked networks")


class TagKind(models.TextChoices):
    SKILL = "skill", _("Skill or qualification")
    INTEREST = "interest", _("Interest")


class Tag(models.Model):
    """A skill or an interest, shared by the members of one network (and suggested to them)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=TagKind.choices)
    name = models.CharField(_("name"), max_length=50)
    normalized = models.CharField(max_length=50, editable=False)

    objects: ClassVar[models.Manager[Tag]] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "kind", "normalized"], name="one_tag_per_spelling"
            )
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def photo_path(instance: Profile, filename: str) -> str:
    """A name nobody can guess; photos are served only to the audience the member chose."""
    return private_name(f"profiles/{instance.network_id}", filename)


class Profile(models.Model):
    """What a member tells the network about themselves. One per membership."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    display_name = models.CharField(
        _("display name"),
        max_length=100,
        blank=True,
        help_text=_("How members see you. Your account name is used when this is empty."),
    )
    name_kanji = models.CharField(_("name in kanji"), max_length=100, blank=True)
    name_kana = models.CharField(_("name in kana"), max_length=100, blank=True)
    name_romaji = models.CharField(_("name in romaji"), max_length=100, blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to=photo_path,
        storage=private_storage,
        blank=True,
        validators=[validate_image_file],
    )
    joined_on = models.DateField(_("joined the company"), null=True, blank=True)
    left_on = models.DateField(_("left the company"), null=True, blank=True)
    last_department = models.CharField(_("last department"), max_length=100, blank=True)
    last_title = models.CharField(_("last title"), max_length=100, blank=True)
    current_employer = models.CharField(_("current employer"), max_length=100, blank=True)
    current_role = models.CharField(_("current role"), max_length=100, blank=True)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="profiles")
    can_help_with = models.TextField(
        _("what I can help with"),
        max_length=2000,
        blank=True,
        validators=[MaxLengthValidator(2000)],
    )
    looking_for = models.TextField(
        _("what I am looking for"),
        max_length=2000,
        blank=True,
        validators=[MaxLengthValidator(2000)],
    )
    introduction = models.TextField(
        _("self-introduction"),
        max_length=5000,
        blank=True,
        validators=[MaxLengthValidator(5000)],
        help_text=_("Markdown is supported."),
    )
    introduction_html = models.TextField(editable=False, blank=True)
    links = models.TextField(
        _("links"), max_length=1000, blank=True, help_text=_("One web address per line.")
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    visibility = models.JSONField(default=dict, blank=True)
    employer_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # What members may search for: only fields shared with the whole network, normalised.
    search_text = models.TextField(editable=False, blank=True, default="")
    # The name in every form it may be typed in (names.py), for the member pickers.
    name_search = models.CharField(editable=False, max_length=1000, blank=True, default="")
    sort_name = models.CharField(max_length=100, editable=False, blank=True, default="")

    objects: ClassVar[models.Manager[Profile]] = ScopedManager(network="network")

    class Meta:
        indexes = [
            models.Index(fields=["network", "sort_name"]),
            models.Index(fields=["network", "-updated_at"]),
            # Profiles confirmed since a day (the operators' dashboard): from the index alone.
            models.Index(fields=["network", "employer_confirmed_at"], name="profiles_confirmed_at"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.introduction_html = str(render_markdown(self.introduction))
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return self.display_name or self.membership.user.name

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class CareerEntry(models.Model):
    """One post inside the company: department, title and when."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="career")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    department = models.CharField(_("department"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("to"), null=True, blank=True)

    objects: ClassVar[models.Manager[CareerEntry]] = ScopedManager(network="network")

    class Meta:
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return f"{self.department} {self.title}".strip()


class LifeUpdate(models.Model):
    """近況: a short note a member posts about their life ("転職しました")."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    body = models.CharField(_("update"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[LifeUpdate]] = ScopedManager(network="network")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["network", "-created_at"])]

    def __str__(self) -> str:
        return self.body[:40]


class DirectoryEntry(models.Model):
    """What the directory searches, one narrow row per active member (see ``directory.py``).

    It holds only what every member may see: the normalised search text of shared fields, and
    search keys for its words and for the filters (role, leaving year, department, industry,
    skills), each only when its owner shares the field. A member who is not active has no row.
    """

    profile = models.OneToOneField(
        Profile, on_delete=models.CASCADE, primary_key=True, related_name="directory_entry"
    )
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    search_text = models.TextField(blank=True, default="")
    department = models.CharField(max_length=100, blank=True, default="")
    keys = KeysField(default=list)  # the characters and pairs of the search text
    department_keys = KeysField(default=list)  # those of the department, when shared
    facets = KeysField(default=list)  # role, and when shared: leaving year, industry, skills
    sort_name = models.CharField(max_length=100, blank=True, default="")
    updated_at = models.DateTimeField()
    joined_at = models.DateTimeField()

    objects: ClassVar[models.Manager[DirectoryEntry]] = ScopedManager(network="network")

    class Meta:
        indexes = [
            models.Index(fields=["network", "sort_name", "profile"]),
            models.Index(fields=["network", "-updated_at", "-profile"]),
            models.Index(fields=["network", "-joined_at", "-profile"]),
        ]

    def __str__(self) -> str:
        return self.sort_name
