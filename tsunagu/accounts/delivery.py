"""Delivering e-mail from tasks: one message to one address at a time, telling the mail server's
passing troubles (down, busy, "try again later") from its final refusal of an address.

Each recipient's mail is its own task. A passing trouble is tried again with growing pauses for
about twenty hours; a refusal marks the address (``UndeliverableAddress``) and never stops the
other recipients. A task claims its row before sending, so a copy of it (a message delivered
twice by the broker) finds the mail already sent, or being sent, and sends nothing.
"""

from __future__ import annotations

import logging
import random
import smtplib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.mail import EmailMessage, get_connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import UndeliverableAddress

if TYPE_CHECKING:
    from celery import Task

logger = logging.getLogger(__name__)

# Pauses between tries: 1, 2, 4 … 32 minutes, then every hour: the last try comes about twenty
# hours after the first. The longest pause stays under the broker's visibility timeout
# (CELERY_BROKER_TRANSPORT_OPTIONS), or Redis would hand a waiting retry to a second worker.
FIRST_PAUSE = 60.0
LONGEST_PAUSE = 60.0 * 60
RETRIES = 25
# A worker that began sending and then died is presumed gone after this (far beyond
# EMAIL_TIMEOUT): the redelivered task may then send the mail.
SENDING_EXPIRES = timedelta(minutes=15)


class Undelivered(Exception):  # noqa: N818 - an outcome, not a programming error
    """The mail server did not take the message.

    ``final``: trying again will not help. ``address_refused``: the server refused the address
    itself (a 5xx answer to RCPT TO), the only failure that marks the address.
    """

    def __init__(self, reason: str, *, final: bool = False, address_refused: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.final = final or address_refused
        self.address_refused = address_refused


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(f"{code} {text}".split())[:200]


def deliver(message: EmailMessage) -> None:
    """Hands one message, addressed to one recipient, to the mail server; raises Undelivered
    when the server does not take it."""
    connection: Any = get_connection()
    try:
        # Opened here, so that send_messages() leaves the closing to us: a failure to say
        # goodbye after the server took the message must not make us send it again.
        connection.open()
        connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        raise Undelivered(_answer(code, text), address_refused=code >= 500) from error
    except smtplib.SMTPDataError as error:
        # The address was taken but not the message (its content, its size): not the address's
        # fault, and sending the same message again would meet the same answer.
        reason = _answer(error.smtp_code, error.smtp_error)
        raise Undelivered(reason, final=error.smtp_code >= 500) from error
    except smtplib.SMTPResponseException as error:
        # Our sender or login refused, a busy server: none is the recipient's doing, and an
        # operator can put it right while the mail waits.
        raise Undelivered(_answer(error.smtp_code, error.smtp_error)) from error
    except (smtplib.SMTPException, OSError) as error:  # down, unreachable, disconnected
        raise Undelivered(" ".join(str(error).split())[:200] or type(error).__name__) from error
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            logger.debug("the mail server's connection did not close cleanly", exc_info=True)


def pause(retries: int) -> float:
    """Seconds before the next try, after ``retries`` retries; spread a little, so that the mails
    of one batch do not all come back to the server at the same second."""
    longest = min(FIRST_PAUSE * 2**retries, LONGEST_PAUSE)
    return longest * random.uniform(0.75, 1.0)  # noqa: S311 - spreading load, not a secret


def retry_later(task: Task, failure: Undelivered) -> None:
    """Raises Celery's Retry to try again after the next pause.

    Returns instead, for the caller to give up, when the failure is final, the tries are spent,
    or the task runs in the web process (no broker: no queue would keep the retry, and the page
    that caused the mail must not fail for it)."""
    request = task.request
    retries = request.retries or 0
    if failure.final or request.is_eager or request.called_directly or retries >= RETRIES:
        return
    raise task.retry(exc=failure, countdown=pause(retries), max_retries=RETRIES)


def claim(rows: QuerySet[Any], field: str) -> bool:
    """Marks the (one) row as being sent now; False when another worker is sending it or the
    row no longer qualifies. ``field`` is the row's "being sent since" time."""
    now = timezone.now()
    free = Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": now - SENDING_EXPIRES})
    return rows.filter(free).update(**{field: now}) > 0


def note_refusal(address: str, reason: str) -> None:
    logger.warning("the mail server refused %s: %s", address, reason)
    UndeliverableAddress.objects.update_or_create(
        email=address.lower(), defaults={"reason": reason, "refused_at": timezone.now()}
    )


def forget_refusal(address: str) -> None:
    """The server took a mail for the address, or its owner says it works again."""
    UndeliverableAddress.objects.filter(email=address.lower()).delete()


def refusal_of(address: str) -> UndeliverableAddress | None:
    return UndeliverableAddress.objects.filter(email=address.lower()).first()


def refusals_of(addresses: list[str]) -> dict[str, UndeliverableAddress]:
    """The refusals of these addresses, by lower-case address: one query for a page of rows."""
    found = UndeliverableAddress.objects.filter(email__in={a.lower() for a in addresses})
    return {row.email: row for row in found}
