"""The digest as a mail: text and HTML, in the member's language and time zone, with one-click
unsubscribe (RFC 8058)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tsunagu.notify.tokens import make_token
from tsunagu.tenancy.models import Network

from .content import Digest
from .models import Frequency

# The kind named in the unsubscribe token: a notification kind's token is refused here, and
# this one by notifications' own unsubscribe page.
TOKEN_KIND = "digest"  # noqa: S105 - a kind, not a secret


def unsubscribe_url(network: Network, user_id: int) -> str:
    token = make_token(user_id, network.pk, TOKEN_KIND)
    return settings.SITE_URL + reverse(
        "digest:unsubscribe", kwargs={"network_slug": network.slug, "token": token}
    )


def zone_of(time_zone: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def digest_context(network: Network, digest: Digest, frequency: str) -> dict[str, Any]:
    slug = network.slug
    return {
        "network": network,
        "digest": digest,
        "weekly": frequency == Frequency.WEEKLY,
        "recipient": digest.member.user,
        "site_url": settings.SITE_URL,
        "home_url": settings.SITE_URL + network.get_absolute_url(),
        "preferences_url": settings.SITE_URL
        + reverse("notify:preferences", kwargs={"network_slug": slug}),
        "unsubscribe_url": unsubscribe_url(network, digest.member.user_id),
    }


def subject_for(network: Network, frequency: str) -> str:
    if frequency == Frequency.WEEKLY:
        text = gettext("This week at %(network)s") % {"network": network.name}
    else:
        text = gettext("This month at %(network)s") % {"network": network.name}
    return " ".join(text.split())[:200]


def digest_message(network: Network, digest: Digest, frequency: str) -> EmailMultiAlternatives:
    user = digest.member.user
    context = digest_context(network, digest, frequency)
    with (
        translation.override(user.language or settings.LANGUAGE_CODE),
        timezone.override(zone_of(user.time_zone)),
    ):
        subject = subject_for(network, frequency)
        text = render_to_string("digest/email.txt", context)
        html = render_to_string("digest/email.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
