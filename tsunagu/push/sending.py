"""One push to one device: the message encrypted for the browser (RFC 8291, aes128gcm), signed
with the site's VAPID key (RFC 8292) and handed to the browser's push service (RFC 8030).

The push service's answer decides what follows: 201 delivered; 404 or 410, the subscription is
gone for good; 429, a 5xx, a timeout or no connection, try again later; any other answer (our
key refused, a request it cannot take) will not change by trying again.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import translation
from py_vapid import Vapid
from pywebpush import WebPusher, WebPushException

from tsunagu.notify.models import Notification
from tsunagu.tenancy.models import Network

from .models import PushSubscription

# How long the push service keeps a push for a device that is offline: a day, after which
# the member finds the notification in the app anyway.
TTL = 24 * 60 * 60
# Conversations addressed to the member wake the device; the rest may wait for a good moment.
HIGH_URGENCY_KINDS = frozenset({"talk_direct", "talk_mention"})
# How long the VAPID signature is good for (the push services accept at most 24 hours).
SIGNATURE_SECONDS = 12 * 60 * 60


class NotPushed(Exception):  # noqa: N818 - an outcome, not a programming error
    """The push service did not take the push. ``gone``: the subscription no longer exists;
    ``final``: trying again will not help."""

    def __init__(self, reason: str, *, gone: bool = False, final: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.gone = gone
        self.final = final or gone


def payload(network: Network, notification: Notification) -> bytes:
    """What the device shows, in the recipient's language: the network's name and the in-app
    notification's sentence, and where a tap leads (a path of this site). Nothing more: no
    message body, which a locked phone would show to whoever holds it."""
    recipient = notification.recipient
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        message = notification.message
    url = notification.url
    if not url.startswith("/") or url.startswith("//"):
        url = network.get_absolute_url()
    data = {
        "title": network.name,
        "body": message,
        "url": url,
        "tag": f"tsunagu-{notification.pk}",
    }
    return json.dumps(data, ensure_ascii=False).encode()


def urgency_of(notification: Notification) -> str:
    return "high" if notification.kind in HIGH_URGENCY_KINDS else "normal"


def _answer(response: requests.Response) -> str:
    return " ".join(f"{response.status_code} {response.reason or ''}".split())[:200]


def push(device: PushSubscription, data: bytes, *, urgency: str = "normal") -> None:
    """Sends ``data`` to the device; raises NotPushed when its push service does not take it."""
    endpoint = urlsplit(device.endpoint)
    signer = Vapid.from_raw(settings.TSUNAGU_VAPID_PRIVATE_KEY.encode())
    headers = signer.sign(
        {
            "sub": settings.TSUNAGU_VAPID_SUBJECT,
            "aud": f"{endpoint.scheme}://{endpoint.netloc}",
            "exp": int(time.time()) + SIGNATURE_SECONDS,
        }
    )
    headers["Urgency"] = urgency
    keys = {"p256dh": device.p256dh, "auth": device.auth}
    subscription = {"endpoint": device.endpoint, "keys": keys}
    with requests.Session() as session:
        # A push service answers; it does not send us elsewhere (perhaps inside our network).
        session.max_redirects = 0
        try:
            response = WebPusher(subscription, requests_session=session).send(
                data, headers, ttl=TTL, timeout=settings.TSUNAGU_PUSH_TIMEOUT
            )
        except requests.TooManyRedirects as error:
            raise NotPushed("the push service redirected the push", final=True) from error
        except requests.RequestException as error:  # unreachable, timed out, disconnected
            reason = " ".join(str(error).split())[:200] or type(error).__name__
            raise NotPushed(reason) from error
        except (WebPushException, ValueError) as error:  # keys it cannot encrypt for
            raise NotPushed(str(error)[:200], final=True) from error
    status = response.status_code
    if status in (200, 201, 202):
        return
    if status in (404, 410):
        raise NotPushed(_answer(response), gone=True)
    if status == 429 or status >= 500:
        raise NotPushed(_answer(response))
    raise NotPushed(_answer(response), final=True)
