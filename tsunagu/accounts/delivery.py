"""Delivering e-mail from tasks: one message to one address at a time, telling the mail server's
passing troubles (down, busy, "try again later") from its final refusal of an address.

Each recipient's mail is its own task. A passing trouble is tried again with growing pauses for
about twenty hours; a refusal marks the address (``UndeliverableAddress``) and never stops the
other recipients. A task claims its row before sending, so a copy of it (a message delivered
twice by the broker) finds the mail already sent, or being sent, and sends nothing. A refusal
of an address is noted here, for every kind of mail (``Sender.send``), and by the mail
provider's bounce notifications (``bounces.py``).
"""

from __future__ import annotations

import contextlib
import logging
import random
import smtplib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .backends import forget_user
from .models import UndeliverableAddress, User

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


# A server that closes the conversation answers 421 ("service not available, closing"), at any
# step; smtplib then drops the connection. Nothing was taken.
CLOSING = 421


class Sender:
    """Hands messages to the mail server over one connection, opened for the first message and
    kept for the next ones (a digest chunk sends two hundred mails over it), each message
    addressed to one recipient and each failure that message's own.

    A refused address (5xx to RCPT TO) is noted here, whoever sends: ``note_refusal()``. After a
    refusal the connection goes on (smtplib has reset the conversation). A server that lets go of
    a connection that already carried mail (an idle timeout, a limit of messages per
    connection) gets the message again on a new connection, once; a connection that cannot be
    opened is not asked for again by this sender: its later messages fail at once, as passing
    troubles, and are tried again later by their tasks."""

    def __init__(self) -> None:
        self._connection: Any = None
        self._carried = 0  # conversations the open connection has had (a message taken or not)
        self._down: str | None = None  # why the connection could not be opened

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        """Raises Undelivered when the server does not take the message."""
        try:
            self._send(message)
        except Undelivered as failure:
            if failure.address_refused:
                for address in message.recipients():
                    note_refusal(address, failure.reason)
            raise

    def close(self) -> None:
        connection, self._connection, self._carried = self._connection, None, 0
        if connection is None:
            return
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            # A failure to say goodbye after the server took the messages must not make
            # anyone send them again.
            logger.debug("the mail server's connection did not close cleanly", exc_info=True)

    def _send(self, message: EmailMessage) -> None:
        if self._down is not None:
            raise Undelivered(self._down)
        reused = self._carried > 0
        try:
            self._open()
            self._connection.send_messages([message])
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            if code == CLOSING:
                return self._again(message, reused, _answer(code, text), error)
            self._carried += 1  # a whole conversation: the connection has proved itself
            raise Undelivered(_answer(code, text), address_refused=code >= 500) from error
        except smtplib.SMTPDataError as error:
            # The address was taken but not the message (its content, its size): not the
            # address's fault, and sending the same message again would meet the same answer.
            reason = _answer(error.smtp_code, error.smtp_error)
            if error.smtp_code == CLOSING:
                return self._again(message, reused, reason, error)
            self._carried += 1
            raise Undelivered(reason, final=error.smtp_code >= 500) from error
        except smtplib.SMTPResponseException as error:
            # Our sender or login refused, a busy server: none is the recipient's doing, and an
            # operator can put it right while the mail waits.
            reason = _answer(error.smtp_code, error.smtp_error)
            if error.smtp_code == CLOSING:
                return self._again(message, reused, reason, error)
            self.close()
            raise Undelivered(reason) from error
        except (smtplib.SMTPException, OSError) as error:  # down, unreachable, disconnected
            reason = " ".join(str(error).split())[:200] or type(error).__name__
            return self._again(message, reused, reason, error)
        self._carried += 1
        return None

    def _open(self) -> None:
        if self._connection is not None:
            return
        connection: Any = get_connection()
        try:
            # Opened here, so that send_messages() leaves the closing to us.
            connection.open()
        except (smtplib.SMTPException, OSError) as error:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.close()
            if isinstance(error, smtplib.SMTPResponseException):
                self._down = _answer(error.smtp_code, error.smtp_error)
            else:
                self._down = " ".join(str(error).split())[:200] or type(error).__name__
            raise
        self._connection, self._carried = connection, 0

    def _again(self, message: EmailMessage, reused: bool, reason: str, error: Exception) -> None:
        """The connection is gone. One that had carried mail before may simply have been let go
        of: the message is tried once more on a new one. Otherwise the failure is a passing
        trouble."""
        self.close()
        if reused and self._down is None:
            logger.info("the mail server let go of the connection (%s): opening another", reason)
            return self._send(message)
        raise Undelivered(self._down or reason) from error


def deliver(message: EmailMessage) -> None:
    """Hands one message, addressed to one recipient, to the mail server over a connection of
    its own; raises Undelivered when the server does not take it (and notes a refused
    address)."""
    with Sender() as sender:
        sender.send(message)


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


def claim_many(rows: QuerySet[Any], field: str) -> set[int]:
    """Marks the rows as being sent now, in one transaction (one commit for a group of mails
    instead of one each); the ids of the rows this worker got. The others are being sent by
    another worker (skipped while it holds them, left out once it has claimed them) or no
    longer qualify."""
    now = timezone.now()
    free = Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": now - SENDING_EXPIRES})
    with transaction.atomic():
        mine = rows.filter(free).select_for_update(skip_locked=True)
        ids = set(mine.values_list("pk", flat=True))
        if ids:
            rows.filter(pk__in=ids).update(**{field: now})
    return ids


def note_refusal(address: str, reason: str) -> None:
    """The address refuses mail for good (the server's 5xx, or the provider's permanent
    bounce): mail to it pauses, its owner is asked to update it on their next page, and the
    operators of their networks see it."""
    logger.warning("the mail server refused %s: %s", address, reason)
    UndeliverableAddress.objects.update_or_create(
        email=address.lower(), defaults={"reason": reason[:200], "refused_at": timezone.now()}
    )
    _forget_owners(address)


def forget_refusal(address: str) -> None:
    """The server took a mail for the address, or its owner says it works again."""
    deleted, _kinds = UndeliverableAddress.objects.filter(email=address.lower()).delete()
    if deleted:
        _forget_owners(address)


def _forget_owners(address: str) -> None:
    """The signed-in user is cached with whether their address refuses mail (backends.py): the
    owner's next page must know."""
    for user_id in User.objects.filter(email__iexact=address).values_list("pk", flat=True):
        forget_user(user_id)


def refusal_of(address: str) -> UndeliverableAddress | None:
    return UndeliverableAddress.objects.filter(email=address.lower()).first()


def refusals_of(addresses: list[str]) -> dict[str, UndeliverableAddress]:
    """The refusals of these addresses, by lower-case address: one query for a page of rows."""
    found = UndeliverableAddress.objects.filter(email__in={a.lower() for a in addresses})
    return {row.email: row for row in found}
