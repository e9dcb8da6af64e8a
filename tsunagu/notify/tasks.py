from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope

from tsunagu.tenancy.models import Membership, Network, Status

from .actions import wants_email
from .models import Notification
from .tokens import make_token


@shared_task(acks_late=True)
def send_notification_emails(network_id: int, notification_ids: list[int]) -> int:
    """E-mails each notification to its recipient, in the recipient's language, once."""
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return 0
    sent = 0
    with scope(network=network):
        active = set(
            Membership.objects.filter(network=network, status=Status.ACTIVE).values_list(
                "user_id", flat=True
            )
        )
        pending = Notification.objects.filter(
            network=network, pk__in=notification_ids, emailed_at__isnull=True
        ).select_related("recipient", "actor")
        for notification in pending:
            recipient = notification.recipient
            if not recipient.is_active or recipient.pk not in active:
                continue
            if not wants_email(network, recipient.pk, notification.kind):
                continue
            _send_one(network, notification)
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


def _send_one(network: Network, notification: Notification) -> None:
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
    message.send()
