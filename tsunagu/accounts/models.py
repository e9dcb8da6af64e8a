from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(DjangoUserManager["User"]):
    """Users are identified by e-mail; there is no username."""

    def _create_user_by_email(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user_by_email(email, password, **extra)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user_by_email(email, password, **extra)


# Where members of Japanese alumni networks live most often; the empty choice is the site's zone.
TIME_ZONES = [
    "Asia/Tokyo", "Asia/Seoul", "Asia/Shanghai", "Asia/Taipei", "Asia/Hong_Kong", "Asia/Singapore",
    "Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Jakarta", "Asia/Manila", "Asia/Kolkata", "Asia/Dubai",
    "Australia/Sydney", "Pacific/Auckland", "Pacific/Honolulu", "America/Los_Angeles",
    "America/Denver", "America/Chicago", "America/New_York", "America/Sao_Paulo", "Europe/London",
    "Europe/Paris", "Europe/Berlin", "UTC",
]  # fmt: skip


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("As you want other members to see it, e.g. 山田 花子"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        choices=[(zone, zone) for zone in TIME_ZONES],
        help_text=_("Event times are shown in this time zone."),
    )

    # Whether mail to the address was refused for good: set on the signed-in user by the
    # authentication backend (backends.py), False on a user loaded any other way.
    mail_refused = False

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["name"]

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    # The signed-in user comes from the cache without its password hash (backends.py), carrying
    # the session hash computed from it instead; the password itself loads on first use.
    def get_session_auth_hash(self) -> str:
        cached = self.__dict__.get("_cached_session_auth_hash")
        return cached if cached is not None else super().get_session_auth_hash()

    def set_password(self, raw_password: str | None) -> None:
        self.__dict__.pop("_cached_session_auth_hash", None)
        super().set_password(raw_password)


class UndeliverableAddress(models.Model):
    """An address whose mail server refused mail for good (SMTP 5xx for that recipient).

    It belongs to the address, not to a network: operators of every network the person belongs
    to see it, with the server's answer, and notification e-mail to it pauses. A later mail that
    the server takes (a password reset, an invitation sent again) forgets it, and so does the
    person, from their e-mail preferences."""

    email = models.EmailField(_("e-mail address"), unique=True)  # lower case
    reason = models.CharField(_("mail server's answer"), max_length=200)
    refused_at = models.DateTimeField(_("refused at"))

    class Meta:
        verbose_name = _("undeliverable address")
        verbose_name_plural = _("undeliverable addresses")

    def __str__(self) -> str:
        return self.email
