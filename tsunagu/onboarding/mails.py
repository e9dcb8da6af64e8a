"""E-mails to people who are not (yet) members: written in Japanese and English, one after the
other, since nobody knows yet which language they read."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tsunagu.accounts.delivery import deliver

from .models import Application, Invitation

SEPARATOR = "\n\n――――――――――――――――――――\n\n"


def _both(template: str, context: dict[str, Any], first: str = "ja") -> tuple[str, str]:
    languages = [first] + [code for code, _name in settings.LANGUAGES if code != first]
    bodies, subjects = [], []
    for language in languages:
        with translation.override(language):
            subjects.append(render_to_string(f"{template}_subject.txt", context).strip())
            bodies.append(render_to_string(f"{template}.txt", context).strip())
    return " / ".join(dict.fromkeys(subjects)), SEPARATOR.join(bodies) + "\n"


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse(
        "onboarding:accept_invitation",
        kwargs={"network_slug": invitation.network.slug, "invite_token": invitation.token},
    )


def stop_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse(
        "onboarding:stop_invitations",
        kwargs={"network_slug": invitation.network.slug, "invite_token": invitation.token},
    )


def invitation_message(invitation: Invitation, *, reminder: bool = False) -> tuple[str, str]:
    """The subject and body the invitation is sent with (also the operators' preview)."""
    network = invitation.network
    context = {
        "network": network,
        "invitation": invitation,
        "url": invitation_url(invitation),
        "stop_url": stop_url(invitation),
        "reminder": reminder,
        "inviter": invitation.invited_by.user.name if invitation.invited_by_id else "",  # type: ignore[union-attr]
    }
    subject, body = _both("onboarding/email/invitation", context)
    return " ".join(f"[{network.name}] {subject}".split())[:200], body


def send_invitation_mail(invitation: Invitation, *, reminder: bool = False) -> None:
    """Raises Undelivered when the mail server does not take it."""
    subject, body = invitation_message(invitation, reminder=reminder)
    deliver(EmailMessage(subject=subject, body=body, to=[invitation.email]))


def send_decision_mail(application: Application) -> None:
    """Raises Undelivered when the mail server does not take it."""
    network = application.network
    user = application.user
    context = {
        "network": network,
        "application": application,
        "approved": application.status == "approved",
        "name": user.name,
        "url": settings.SITE_URL + network.get_absolute_url(),
        "about_url": settings.SITE_URL
        + reverse("tenancy:about", kwargs={"network_slug": network.slug}),
    }
    subject, body = _both("onboarding/email/decision", context, first=user.language or "ja")
    deliver(
        EmailMessage(
            subject=" ".join(f"[{network.name}] {subject}".split())[:200],
            body=body,
            to=[user.email],
        )
    )
