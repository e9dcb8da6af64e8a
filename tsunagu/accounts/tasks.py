"""Account e-mails (address confirmation, "you already have an account", password reset), sent in
the background: the request renders them and returns without waiting for the mail server."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.core.mail import EmailMessage, EmailMultiAlternatives


def message_to_task(message: EmailMessage) -> dict[str, Any]:
    """The rendered message as plain data the task queue carries."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [
            [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
    }


@shared_task(acks_late=True)
def send_account_mail(message: dict[str, Any]) -> None:
    mail = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
        headers=message["headers"],
    )
    mail.content_subtype = message["content_subtype"]
    for content, mimetype in message["alternatives"]:
        mail.attach_alternative(content, mimetype)
    mail.send()
