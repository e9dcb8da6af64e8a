"""Small factory functions for tests. They work outside any network scope."""

from __future__ import annotations

import itertools
from typing import Any

from allauth.account.models import EmailAddress
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.tenancy.models import Membership, Network, Role, Status
from tsunagu.tenancy.signals import members_written_in_bulk

PASSWORD = "correct-horse-battery-42"  # noqa: S105 - test password
_seq = itertools.count(1)


def make_user(
    *, email: str | None = None, name: str = "山田 花子", verified: bool = True, **extra: Any
) -> User:
    number = next(_seq)
    email = email or f"user{number}@example.jp"
    user = User.objects.create_user(email=email, password=PASSWORD, name=name, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def make_network(*, slug: str | None = None, name: str | None = None, **extra: Any) -> Network:
    number = next(_seq)
    return Network.objects.create(
        slug=slug or f"net-{number}", name=name or f"テスト商事 アルムナイ {number}", **extra
    )


def make_member(
    network: Network,
    user: User | None = None,
    *,
    role: str = Role.ALUMNI,
    status: str = Status.ACTIVE,
    name: str = "田中 太郎",
) -> Membership:
    with scopes_disabled():
        return Membership.objects.create(
            network=network, user=user or make_user(name=name), role=role, status=status
        )


def make_members(network: Network, count: int, *, role: str = Role.ALUMNI) -> list[Membership]:
    """Many active members at once (written in bulk), for tests of large audiences. They
    cannot log in."""
    numbers = [next(_seq) for _ in range(count)]
    users = User.objects.bulk_create(
        # "!" is no password hash: nobody logs in as them.
        User(email=f"crowd{n}@example.jp", name=f"会員 {n}", password="!")  # noqa: S106
        for n in numbers
    )
    with scopes_disabled():
        members = Membership.objects.bulk_create(
            Membership(network=network, user=user, role=role, status=Status.ACTIVE)
            for user in users
        )
    members_written_in_bulk.send(sender=Membership, network_id=network.pk)
    return members
