"""An announcement as a mail: the office's words (Markdown, cleaned, as text and HTML) in a frame
written in the recipient's language, with one-click unsubscribe (RFC 8058) for the notification
kind "announcement"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tsunagu.accounts.models import User
from tsunagu.core.markdown import render_markdown
from tsunagu.notify.tokens import make_token
from tsunagu.tenancy.models import Network

from .models import Announcement
from .prefs import KIND


def unsubscribe_url(network: Network, user_id: int) -> str:
    token = make_token(user_id, network.pk, KIND)
    return settings.SITE_URL + reverse(
        "notify:unsubscribe", kwargs={"network_slug": network.slug, "token": token}
    )


def mail_context(network: Network, announcement: Announcement, recipient: User) -> dict[str, Any]:
    return {
        "network": network,
        "announcement": announcement,
        "body_html": render_markdown(announcement.body),
        "recipient": recipient,
        "home_url": settings.SITE_URL + network.get_absolute_url(),
        "preferences_url": settings.SITE_URL
        + reverse("notify:preferences", kwargs={"network_slug": network.slug}),
        "unsubscribe_url": unsubscribe_url(network, recipient.pk),
    }


def subject_for(announcement: Announcement, *, test: bool = False) -> str:
    subject = " ".join(announcement.subject.split())
    if test:
        # The prefix is in the language of whoever reads it: the operator, for a test.
        subject = gettext("[Test] %(subject)s") % {"subject": subject}
    return subject


def announcement_message(
    network: Network, announcement: Announcement, recipient: User, *, test: bool = False
) -> EmailMultiAlternatives:
    context = mail_context(network, announcement, recipient)
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        subject = subject_for(announcement, test=test)
        text = render_to_string("announce/email.txt", context)
        html = render_to_string("announce/email.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
