"""The account itself and the third-party tables that refer to it (see privacy/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.db.models import QuerySet

from tsunagu.privacy.registry import Erase, Rule, register

from .models import UndeliverableAddress, User

if TYPE_CHECKING:
    from tsunagu.privacy.erasure import Context


def empty_accounts(rows: QuerySet[User], ctx: Context) -> None:
    """The account stays as an empty, unusable shell (other rows point to it): no name, an
    address that is nobody's, no password, not active. Saving it ends every session and closes
    every socket of the person (accounts/signals.py)."""
    for user in rows:
        UndeliverableAddress.objects.filter(email=user.email).delete()
        EmailAddress.objects.filter(user=user).delete()
        user.name = ""
        user.email = f"erased-{user.pk}@invalid"
        user.time_zone = ""
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.set_unusable_password()
        user.save()


register(
    Rule(
        "accounts.User",
        owner="pk",
        kind="account",
        export=("email", "name", "language", "time_zone", "date_joined", "last_login"),
        erase=Erase.BLANK,
        erase_with=empty_accounts,
        order=100,
    ),
    Rule(
        "account.EmailAddress",
        owner="user",
        kind="email_addresses",
        export=("email", "verified", "primary"),
        erase=Erase.DELETE,
    ),
    Rule(
        "mfa.Authenticator",
        owner="user",
        kind="two_factor",
        export=("type", "created_at", "last_used_at"),
        erase=Erase.DELETE,
    ),
    Rule(
        "admin.LogEntry",
        owner="user",
        erase=Erase.KEEP,
        why="the site administrators' own record of changes in /admin/; it names the emptied "
        "account only by its id",
    ),
    Rule(
        "accounts.User_groups",
        owner="user",
        erase=Erase.DELETE,
        why="site staff permissions, not data about the person",
    ),
    Rule(
        "accounts.User_user_permissions",
        owner="user",
        erase=Erase.DELETE,
        why="site staff permissions, not data about the person",
    ),
)
