"""Cached reads that every network page makes: the network, the visitor's membership in it and
the visitor's networks.

All change rarely and are read on every request. Entries are dropped when a network or a
membership is saved or deleted (now and again after the transaction commits); the user's list
also carries a version so a change anywhere refreshes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django_scopes import scopes_disabled

from tsunagu.core import caching

from .gates import membership_values, network_values
from .models import Membership, Network, Role, Status

if TYPE_CHECKING:
    from tsunagu.accounts.models import User

TIMEOUT = 300
# Every network's change moves it on: the visitors' lists of networks are built under it.
VERSION_KEY = caching.key("tenancy", "version")


def _network_key(slug: str) -> str:
    return caching.key("tenancy", "network", slug)


def _user_key(user_id: int) -> str:
    return caching.key("tenancy", "user-networks", user_id)


def _membership_key(network_id: int, user_id: int) -> str:
    return caching.key("tenancy", "membership", network_id, user_id)


def membership_of(network: Network, user_id: int) -> Membership | None:
    """The user's membership row in the network, whatever its status; None for outsiders.

    A suspension or a new role saves the row, which drops the entry at once; outsiders are not
    cached, so joining needs nothing dropped.
    """
    if not settings.SHARED_CACHE:  # a cache per process: another could have changed the row
        return _load_membership(network, user_id)
    return caching.cached(
        _membership_key(network.pk, user_id), lambda: _load_membership(network, user_id), TIMEOUT
    )


def _load_membership(network: Network, user_id: int) -> Membership | None:
    """The row with what other apps' gates read (`gates.py`: the newest policy version the
    member accepted, `accepted_policy_version`): one statement."""
    return (
        Membership.objects.filter(network=network, user_id=user_id)
        .annotate(**membership_values())
        .first()
    )


def network_by_slug(slug: str) -> Network | None:
    """The active network with what other apps' gates read (`gates.py`: its current policy
    version, `policy_version`, 0 for none)."""

    def load() -> Network | None:
        return (
            Network.objects.filter(slug=slug, is_active=True).annotate(**network_values()).first()
        )

    return caching.cached(_network_key(slug), load, TIMEOUT)


def networks_keys(user_id: int) -> list[str]:
    """The cache keys networks_of() reads, for a caller that reads several things at once."""
    return [_user_key(user_id), VERSION_KEY]


def networks_of(user: User, prefetched: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The user's active networks as plain data: slug, name, colour, logo URL, role
    (``prefetched``: what the caller read of networks_keys())."""
    found = prefetched if prefetched is not None else caching.read_many(networks_keys(user.pk))
    version = caching.counter(VERSION_KEY, found)
    entry = found.get(_user_key(user.pk))
    if entry is not None and entry["version"] == version:
        return entry["networks"]
    with scopes_disabled():
        memberships = (
            Membership.objects.filter(user=user, status=Status.ACTIVE, network__is_active=True)
            .select_related("network")
            .order_by("network__name")
        )
        networks = [
            {
                "id": m.network_id,
                "slug": m.network.slug,
                "name": m.network.name,
                "brand_color": m.network.brand_color,
                "logo_url": m.network.logo.url if m.network.logo else "",
                "role": m.role,
                "role_label": str(m.get_role_display()),
                "url": m.network.get_absolute_url(),
            }
            for m in memberships
        ]
    caching.store(_user_key(user.pk), {"version": version, "networks": networks}, TIMEOUT)
    return networks


def _summary_key(network_id: int) -> str:
    return caching.key("tenancy", "members-summary", network_id)


def _summary_html_key(network_id: int, language: str) -> str:
    return caching.key("tenancy", "members-summary-html", network_id, language=language)


def _summary_keys(network_id: int) -> list[str]:
    return [_summary_key(network_id)] + [
        _summary_html_key(network_id, code) for code, _name in settings.LANGUAGES
    ]


def members_summary(network: Network) -> dict[str, Any]:
    """Head counts by role and the newest members: the same for every member, so shared."""

    def count() -> dict[str, Any]:
        active = Membership.objects.filter(network=network, status=Status.ACTIVE)
        return {
            "role_counts": dict(
                active.values_list("role").annotate(n=Count("id")).values_list("role", "n")
            ),
            # Only what the list shows: the cache must never hold a password hash.
            "newcomers": list(
                active.select_related("user")
                .only("network_id", "role", "created_at", "user__name")
                .order_by("-created_at", "-id")[:8]
            ),
        }

    return caching.cached(_summary_key(network.pk), count, TIMEOUT)


def summary_html_key(network_id: int, language: str) -> str:
    """The cache key members_summary_html() reads, for a caller that reads several at once."""
    return _summary_html_key(network_id, language)


def members_summary_html(
    network: Network, language: str, found: dict[str, Any] | None = None
) -> dict[str, str]:
    """The head counts and newest members as HTML, rendered once per summary and language
    (``found``: what the caller read of summary_html_key() already)."""

    def render() -> dict[str, str]:
        summary = members_summary(network)
        counts = summary["role_counts"]
        context = {
            "network": network,
            "member_count": sum(counts.values()),
            "alumni_count": counts.get(Role.ALUMNI, 0),
            "employee_count": counts.get(Role.EMPLOYEE, 0),
            "supporter_count": counts.get(Role.SUPPORTER, 0),
            "newcomers": summary["newcomers"],
        }
        return {
            "stats": render_to_string("tenancy/fragment_stats.html", context),
            "newcomers": render_to_string("tenancy/fragment_newcomers.html", context),
        }

    return caching.cached(_summary_html_key(network.pk, language), render, TIMEOUT, found=found)


def forget_network(network: Network) -> None:
    """Drops the cached network: something read with it changed (a new policy version)."""
    caching.forget(_network_key(network.slug))


def forget_membership(network_id: int, user_id: int) -> None:
    """Drops the cached membership: something read with it changed (an accepted policy)."""
    caching.forget(_membership_key(network_id, user_id))


@receiver([post_save, post_delete], sender=Network)
def _network_changed(sender: type, instance: Network, **kwargs: Any) -> None:
    keys = [_network_key(instance.slug)]
    previous = getattr(instance, "_loaded_slug", None)
    if previous and previous != instance.slug:
        keys.append(_network_key(previous))
    caching.forget(*keys)
    caching.bump(VERSION_KEY)


@receiver([post_save, post_delete], sender=Membership)
def _membership_changed(sender: type, instance: Membership, **kwargs: Any) -> None:
    caching.forget(
        _membership_key(instance.network_id, instance.user_id),
        _user_key(instance.user_id),
        *_summary_keys(instance.network_id),
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _user_changed(sender: type, instance: User, created: bool, **kwargs: Any) -> None:
    if created:
        return
    # A renamed member must not keep their old name in the newcomers list.
    with scopes_disabled():
        network_ids = list(
            Membership.objects.filter(user_id=instance.pk).values_list("network_id", flat=True)
        )
    if network_ids:
        caching.forget(*[key for network_id in network_ids for key in _summary_keys(network_id)])
