"""The digest as a mail: text and HTML, in the member's language and time zone, with one-click
unsubscribe (RFC 8058)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from tsunagu.core import shared
from tsunagu.notify.tokens import make_token
from tsunagu.tenancy.models import Network

from .content import Digest
from .models import Frequency

# The kind named in the unsubscribe token: a notification kind's token is refused here, and
# this one by notifications' own unsubscribe page.
TOKEN_KIND = "digest"  # noqa: S105 - a kind, not a secret


def unsubscribe_url(network: Network, user_id: int, links: dict[str, str] | None = None) -> str:
    token = make_token(user_id, network.pk, TOKEN_KIND)
    return f"{(links or network_links(network))['unsubscribe_base']}{token}/"


def zone_of(time_zone: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def network_links(network: Network) -> dict[str, str]:
    """The addresses every digest of the network carries (the unsubscribe link's beginning:
    each member's token follows)."""
    slug = network.slug
    unsubscribe = reverse("digest:unsubscribe", kwargs={"network_slug": slug, "token": "-"})
    return {
        "site_url": settings.SITE_URL,
        "home_url": settings.SITE_URL + network.get_absolute_url(),
        "preferences_url": settings.SITE_URL
        + reverse("notify:preferences", kwargs={"network_slug": slug}),
        "unsubscribe_base": settings.SITE_URL + unsubscribe.removesuffix("-/"),
    }


def digest_context(
    network: Network, digest: Digest, frequency: str, links: dict[str, str] | None = None
) -> dict[str, Any]:
    links = links or network_links(network)
    return {
        "network": network,
        "digest": digest,
        "weekly": frequency == Frequency.WEEKLY,
        "recipient": digest.member.user,
        "site_url": links["site_url"],
        "home_url": links["home_url"],
        "preferences_url": links["preferences_url"],
        "unsubscribe_url": unsubscribe_url(network, digest.member.user_id, links),
    }


def subject_for(network: Network, frequency: str) -> str:
    if frequency == Frequency.WEEKLY:
        text = gettext("This week at %(network)s") % {"network": network.name}
    else:
        text = gettext("This month at %(network)s") % {"network": network.name}
    return " ".join(text.split())[:200]


class MailParts:
    """What the mails of one chunk share, each rendered once and reused for every member it
    fits: the network's links; the sections (digest/_section.html and .txt), per language, time
    zone and list of items (the members of a role mostly share their events, articles and
    consultations); and the frame around them (digest/email.html and .txt), per language, time
    zone and frequency, with holes for the member's name, unsubscribe link and sections. A
    chunk renders a few dozen templates instead of a thousand."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.links = network_links(network)
        self._rendered: dict[tuple[Any, ...], str] = {}
        self._section = {
            "html": get_template("digest/_section.html"),
            "txt": get_template("digest/_section.txt"),
        }
        self._frame = {
            "html": get_template("digest/email.html"),
            "txt": get_template("digest/email.txt"),
        }

    def sections(self, digest: Digest, kind: str) -> str:
        """The digest's sections as ``kind`` ("html" or "txt"), in the current language and
        time zone."""
        zone = timezone.get_current_timezone_name()
        parts = []
        for section in digest.sections:
            key = (kind, translation.get_language(), zone, section.key, section.more)
            key += tuple(item.pk for item in section.items)
            rendered = self._rendered.get(key)
            if rendered is None:
                rendered = self._section[kind].render({"network": self.network, "section": section})
                if kind == "html":
                    # The template's tags leave lines of spaces between the items: dropped
                    # once here, not encoded and sent in every mail.
                    rendered = "".join(
                        line for line in rendered.splitlines(keepends=True) if line.strip()
                    )
                self._rendered[key] = rendered
            parts.append(rendered)
        return "".join(parts)

    def mail(self, digest: Digest, frequency: str, kind: str, unsubscribe: str) -> str:
        """The whole mail as ``kind``, in the current language and time zone."""
        user = digest.member.user
        weekly = frequency == Frequency.WEEKLY
        zone = timezone.get_current_timezone_name()
        key = ("frame", kind, translation.get_language(), zone, user.language, weekly)
        frame = self._rendered.get(key)
        if frame is None:
            frame = self._rendered[key] = self._frame[kind].render(
                {
                    **self.links,
                    "network": self.network,
                    "weekly": weekly,
                    "recipient": {"name": shared.hole("name"), "language": user.language},
                    "unsubscribe_url": shared.hole("unsubscribe"),
                    "sections_text": shared.hole("sections"),
                    "sections_html": shared.hole("sections"),
                }
            )
        # Into the HTML part the holes' values go escaped (the sections are safe: rendered),
        # into the text part as they are.
        sections = self.sections(digest, kind)
        resolvers: dict[str, shared.Resolver] = {
            "name": lambda: user.name,
            "unsubscribe": lambda: unsubscribe,
            # Rendered from our templates (digest/_section.html).
            "sections": lambda: mark_safe(sections) if kind == "html" else sections,  # noqa: S308
        }
        return shared.fill(frame, resolvers, where="digest", text=kind == "txt")


def digest_message(
    network: Network, digest: Digest, frequency: str, parts: MailParts | None = None
) -> EmailMultiAlternatives:
    """The mail of one digest; ``parts``: the chunk's, shared by its members' mails."""
    user = digest.member.user
    parts = parts or MailParts(network)
    unsubscribe = unsubscribe_url(network, user.pk, parts.links)
    with (
        translation.override(user.language or settings.LANGUAGE_CODE),
        timezone.override(zone_of(user.time_zone)),
    ):
        subject = subject_for(network, frequency)
        text = parts.mail(digest, frequency, "txt", unsubscribe)
        html = parts.mail(digest, frequency, "html", unsubscribe)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
