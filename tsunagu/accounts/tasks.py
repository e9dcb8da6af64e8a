"""Account e-mails (address confirmation, "you already have an account", password reset), sent in
the background: the request renders them and returns without waiting for the mail server.

They are never held back for an address refused before: the person is asking for them now, and
a mail the server takes shows that the address works again."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from django.core.mail import EmailMessage, EmailMultiAlternatives

from . import delivery

logger = logging.getLogger(__name__)


def message_to_tasks(message: EmailMessage) -> list[dict[str, Any]]:
    """The rendered message as plain data the task queue carries, one for each recipient: each
    address is tried, retried and refused on its own."""
    return [
        {
            "subject": message.subject,
            "body": message.body,
            "from_email": message.from_email,
            "to": [address],
            "headers": dict(message.extra_headers),
            "content_subtype": message.content_subtype,
            "alternatives": [
                [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
            ],
        }
        for address in message.to
    ]


@shared_task(bind=True, acks_late=True)
def send_account_mail(task: Task, message: dict[str, Any]) -> bool:
    """Sends the message to its one recipient; true when the mail server took it."""
    [address] = message["to"]
    mail = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=[address],
        headers=message["headers"],
    )
    mail.content_subtype = message["content_subtype"]
    for content, mimetype in message["alternatives"]:
        mail.attach_alternative(content, mimetype)
    try:
        delivery.deliver(mail)
    except delivery.Undelivered as failure:
        if failure.address_refused:
            return False  # noted by delivery
        delivery.retry_later(task, failure)
        logger.warning("account mail to %s not sent: %s", address, failure.reason)
        return False
    delivery.forget_refusal(address)
    return True
