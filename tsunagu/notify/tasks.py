from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope

from tsunagu.accounts import delivery
from tsunagu.tenancy.models import Membership, Network, Status

from .models import Notification
from .reads import wants_email
from .tokens import make_token

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_notification_emails(network_id: int, notification_ids: list[int]) -> int:
    """Queues one e-mail task per notification: each recipient's mail is tried, retried and
    refused on its own, so a mail server that is down or refuses one address loses nothing."""
    for notification_id in notification_ids:
        send_notification_email.delay(network_id, notification_id)
    return len(notification_ids)


@shared_task(bind=True, acks_late=True)
def send_notification_email(task: Task, network_id: int, notification_id: int) -> bool:
    """E-mails the notification to its recipient, in the recipient's language, once; true when
    the mail server took it. Asks again at every try whether the recipient still wants it."""
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return False
    with scope(network=network):
        pending = Notification.objects.filter(
            network=network, pk=notification_id, emailed_at__isnull=True
        )
        notification = pending.select_related("recipient", "actor").first()
        if notification is None:
            return False
        recipient = notification.recipient
        if not recipient.is_active or not wants_email(network, recipient.pk, notification.kind):
            return False
        if not Membership.objects.filter(
            network=network, user=recipient, status=Status.ACTIVE
        ).exists():
            return False
        refused = delivery.refusal_of(recipient.email)
        if refused is not None:
            # Mailbox providers count mail sent to refusing addresses against the sender.
            pending.update(
                email_error=f"not sent: the address refused mail ({refused.reason})"[:200]
            )
            return False
        if not delivery.claim(pending, "email_sending_since"):
            return False  # a copy of this task is sending it
        try:
            delivery.deliver(_message(network, notification))
        except delivery.Undelivered as failure:
            pending.update(email_sending_since=None, email_error=failure.reason)
            if failure.address_refused:
                return False  # noted by delivery: later mail to it pauses
            delivery.retry_later(task, failure)
            logger.warning("notification %s not e-mailed: %s", notification_id, failure.reason)
            return False
        pending.update(emailed_at=timezone.now(), email_sending_since=None, email_error="")
        return True


def _message(network: Network, notification: Notification) -> EmailMultiAlternatives:
    recipient = notification.recipient
    token = make_token(recipient.pk, network.pk, notification.kind)
    unsubscribe_url = settings.SITE_URL + reverse(
        "notify:unsubscribe", kwargs={"network_slug": network.slug, "token": token}
    )
    target = notification.url or network.get_absolute_url()
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = {
            "network": network,
            "notification": notification,
            "message": notification.message,
            "target_url": settings.SITE_URL + target,
            "preferences_url": settings.SITE_URL
            + reverse("notify:preferences", kwargs={"network_slug": network.slug}),
            "unsubscribe_url": unsubscribe_url,
            "recipient": recipient,
        }
        subject = f"[{network.name}] {notification.message}"
        text = render_to_string("notify/email.txt", context)
        html = render_to_string("notify/email.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:200],
        body=text,
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
