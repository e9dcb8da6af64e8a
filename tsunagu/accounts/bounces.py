"""Bounce notifications from the mail provider: a mail the provider took but could not deliver.

A mail server that refuses an address while we send (SMTP 5xx to RCPT TO) is noted by
delivery.py. A provider that takes every mail and delivers it later (Amazon SES, most relays)
tells of a refusal afterwards, by calling ``POST /mail/bounces/``. Two shapes are read:

- Tsunagu's own, for any provider or a small script in front of one::

    {"bounces": [{"email": "taro@example.jp", "type": "permanent",
                  "reason": "550 5.1.1 User unknown"}]}

  ``type`` "permanent" marks the address; any other ("transient", "undetermined") is ignored.
- Amazon SES notifications delivered by Amazon SNS to an HTTPS subscription (the SNS envelope,
  ``"Type": "Notification"`` with the SES notification as the ``Message`` string, or the SES
  notification itself with raw message delivery). A ``Bounce`` whose ``bounceType`` is
  ``Permanent`` marks each of its ``bouncedRecipients``; transient and undetermined bounces,
  complaints and deliveries are ignored. A ``SubscriptionConfirmation`` is logged with its
  ``SubscribeURL``, for the operator to open (nothing is fetched from here).

The caller proves itself with the shared secret ``BOUNCE_WEBHOOK_SECRET`` (views.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

# More than any provider puts in one call (SES: 50 recipients a message).
MAX_BOUNCES = 500


@dataclass(frozen=True)
class Bounce:
    email: str
    permanent: bool
    reason: str


@dataclass
class Notification:
    bounces: list[Bounce] = field(default_factory=list)
    # An SNS subscription waiting to be confirmed by opening this address.
    subscribe_url: str = ""


class BadNotification(ValueError):
    """What is wrong with the body, said to the caller (a 400)."""


def read_notification(body: bytes) -> Notification:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadNotification(_("The body is not valid JSON.")) from error
    if not isinstance(data, dict):
        raise BadNotification(_("Send one JSON object."))
    if "bounces" in data:
        return Notification(_own(data["bounces"]))
    if data.get("Type") in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        url = data.get("SubscribeURL") if data["Type"] == "SubscriptionConfirmation" else ""
        return Notification(subscribe_url=str(url or ""))
    if data.get("Type") == "Notification":
        try:
            data = json.loads(data.get("Message") or "")
        except (ValueError, TypeError) as error:
            raise BadNotification(_("The SNS message holds no SES notification.")) from error
        if not isinstance(data, dict):
            raise BadNotification(_("The SNS message holds no SES notification."))
    if "notificationType" in data or "eventType" in data:
        return Notification(_ses(data))
    raise BadNotification(
        _('Send {"bounces": [...]} or an Amazon SES notification delivered by Amazon SNS.')
    )


def _address(value: Any, where: str) -> str:
    if not isinstance(value, str) or len(value) > 254:
        raise BadNotification(_("%(where)s is not an e-mail address.") % {"where": where})
    try:
        validate_email(value)
    except ValidationError as error:
        raise BadNotification(
            _("%(where)s is not an e-mail address.") % {"where": where}
        ) from error
    return value.lower()


def _text(value: Any) -> str:
    return " ".join(str(value).split())[:200] if value else ""


def _own(entries: Any) -> list[Bounce]:
    if not isinstance(entries, list):
        raise BadNotification(_('"bounces" must be a list.'))
    if len(entries) > MAX_BOUNCES:
        raise BadNotification(
            _("Send at most %(count)d bounces in one call.") % {"count": MAX_BOUNCES}
        )
    bounces = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise BadNotification(
                _('bounces[%(i)d] must be an object with "email" and "type".') % {"i": i}
            )
        email = _address(entry.get("email"), f"bounces[{i}].email")
        kind = entry["type"].strip().lower()
        reason = _text(entry.get("reason")) or f"bounce: {kind}"
        bounces.append(Bounce(email, kind == "permanent", reason))
    return bounces


def _ses(data: dict[str, Any]) -> list[Bounce]:
    if (data.get("notificationType") or data.get("eventType")) != "Bounce":
        return []  # a complaint, a delivery: not a refusal of the address
    bounce = data.get("bounce")
    if not isinstance(bounce, dict) or not isinstance(bounce.get("bouncedRecipients"), list):
        raise BadNotification(_("The SES bounce names no recipients."))
    recipients = bounce["bouncedRecipients"]
    if len(recipients) > MAX_BOUNCES:
        raise BadNotification(
            _("Send at most %(count)d bounces in one call.") % {"count": MAX_BOUNCES}
        )
    permanent = bounce.get("bounceType") == "Permanent"
    kind = _text(f"{bounce.get('bounceType', '')}/{bounce.get('bounceSubType', '')}")
    bounces = []
    for i, recipient in enumerate(recipients):
        if not isinstance(recipient, dict):
            raise BadNotification(_("The SES bounce names no recipients."))
        where = f"bounce.bouncedRecipients[{i}].emailAddress"
        email = _address(recipient.get("emailAddress"), where)
        reason = _text(recipient.get("diagnosticCode")) or f"SES bounce: {kind}"
        bounces.append(Bounce(email, permanent, reason))
    return bounces
