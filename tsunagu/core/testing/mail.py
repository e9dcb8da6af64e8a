"""A real mail server and a real Celery worker for the tests of e-mail delivery.

``MailServer`` speaks enough SMTP (RFC 5321) for Django's SMTP backend, on a port of 127.0.0.1
that it can close (the server is down) and open again. It takes every recipient except those it
is told to refuse, permanently (550) or for a number of tries (451), and keeps what it took. It
counts the connections it was asked for, can let go of each after a number of messages (as
servers that limit the messages of a connection do), and can greet with a refusal.

``task_worker()`` runs a Celery worker in a thread, on an in-memory broker, so that tasks are
queued, retried after their pause and acknowledged as in production, instead of running eagerly
inside the caller.
"""

from __future__ import annotations

import os
import socket
import socketserver
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any


@dataclass
class Refusal:
    reply: str
    times: int | None  # None: for ever


@dataclass
class MailServer:
    port: int = 0
    # What it took: (the envelope's recipients, the message), in order.
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    # Every RCPT TO the server was asked, taken or not: what the sender tried.
    asked: list[str] = field(default_factory=list)
    # Connections opened to it, and how many messages each carried.
    connections: int = 0
    # None: "220 …"; otherwise the reply it greets with, closing the connection then.
    greeting: str | None = None
    _per_connection: tuple[int, str | None] | None = None
    _refusals: dict[str, Refusal] = field(default_factory=dict)
    _server: socketserver.ThreadingTCPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if not self.port:  # a port nobody listens on, ours to open and close
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]

    def refuse(self, address: str, reply: str, times: int | None = None) -> None:
        """Answers RCPT TO for ``address`` with ``reply`` (e.g. "550 5.1.1 No such user"),
        ``times`` times or for ever."""
        self._refusals[address.lower()] = Refusal(reply, times)

    def let_go_after(self, messages: int, reply: str | None = None) -> None:
        """Each connection takes ``messages`` messages; asked for another, the server answers
        ``reply`` (e.g. "421 4.7.0 Too many messages") and closes, or closes without a word."""
        self._per_connection = (messages, reply)

    def start(self) -> None:
        mail_server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                mail_server._converse(self.rfile, self.wfile)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """The port is closed: connecting is refused, as to a server that is down."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def delivered(self) -> Counter[str]:
        """How many messages each address received."""
        with self._lock:
            return Counter(to for recipients, _message in self.received for to in recipients)

    def _answer_rcpt(self, address: str) -> str:
        with self._lock:
            self.asked.append(address)
            refusal = self._refusals.get(address)
            if refusal is None:
                return "250 2.1.5 OK"
            if refusal.times is not None:
                refusal.times -= 1
                if refusal.times <= 0:
                    del self._refusals[address]
            return refusal.reply

    def _take(self, recipients: list[str], data: bytes) -> None:
        """Keeps a message it took (a benchmark's server may only count them)."""
        message = message_from_bytes(data, policy=policy.default)
        with self._lock:
            self.received.append((recipients, message))

    def _converse(self, rfile: Any, wfile: Any) -> None:
        def say(line: str) -> None:
            wfile.write(line.encode() + b"\r\n")
            wfile.flush()

        with self._lock:
            self.connections += 1
        if self.greeting is not None:
            say(self.greeting)
            return
        say("220 localhost test mail server")
        recipients: list[str] = []
        taken = 0
        for raw in iter(rfile.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb == "EHLO":
                say("250-localhost")
                say("250-8BITMIME")
                say("250 SMTPUTF8")
            elif verb == "HELO":
                say("250 localhost")
            elif verb == "MAIL":
                if self._per_connection is not None and taken >= self._per_connection[0]:
                    if self._per_connection[1] is not None:
                        say(self._per_connection[1])
                    return
                recipients = []
                say("250 2.1.0 OK")
            elif verb == "RCPT":
                address = line.partition(":")[2].split()[0].strip("<>").lower()
                reply = self._answer_rcpt(address)
                if reply.startswith("250"):
                    recipients.append(address)
                say(reply)
            elif verb == "DATA":
                if not recipients:
                    say("503 5.5.1 No valid recipients")
                    continue
                say("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                for data in iter(rfile.readline, b""):
                    if data in (b".\r\n", b".\n"):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                self._take(recipients, b"".join(lines))
                recipients = []
                taken += 1
                say("250 2.0.0 Queued")
            elif verb in ("RSET", "NOOP"):
                recipients = [] if verb == "RSET" else recipients
                say("250 2.0.0 OK")
            elif verb == "QUIT":
                say("221 2.0.0 Bye")
                return
            else:
                say("502 5.5.2 Command not recognised")


@contextmanager
def site_mail_server(settings: Any) -> Iterator[MailServer]:
    """A test mail server, down until started, that Django's SMTP backend sends to (the
    ``settings`` fixture puts the settings back)."""
    server = MailServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()


def _hashable(args: Any) -> tuple[Any, ...]:
    try:
        hash(tuple(args))
    except TypeError:  # a message as a dict, for instance
        return (repr(args),)
    return tuple(args)


class TaskLog:
    """What the worker did: retries asked and tasks ended (not by a retry), by task and
    arguments. Filled from Celery's signals in the worker's thread."""

    def __init__(self) -> None:
        self.retried: Counter[tuple[str, tuple[Any, ...]]] = Counter()
        self.finished: Counter[tuple[str, tuple[Any, ...]]] = Counter()
        self._lock = threading.Lock()

    def retries_of(self, task: str) -> dict[tuple[Any, ...], int]:
        with self._lock:
            return {args: n for (name, args), n in self.retried.items() if name == task}

    def ended(self, task: str) -> int:
        with self._lock:
            return sum(n for (name, _args), n in self.finished.items() if name == task)

    def _on_retry(self, sender: Any, request: Any, **kwargs: Any) -> None:
        with self._lock:
            self.retried[(sender.name, _hashable(request.args))] += 1

    def _on_postrun(self, sender: Any, args: Any, state: str, **kwargs: Any) -> None:
        if state != "RETRY":
            with self._lock:
                self.finished[(sender.name, _hashable(args))] += 1


def _close_connections(sender: Any, **kwargs: Any) -> None:
    """As Celery's Django fix-up does in a real worker: the database connections a task opened
    are closed when it ends, so that none outlives the worker's thread (PostgreSQL would refuse
    to drop the test database)."""
    if not getattr(sender.request, "is_eager", False):
        from django.db import connections

        connections.close_all()


def _forget_broker(app: Any) -> None:
    """Eager tasks, too, take a producer for the broker configured then; the next task must
    use the broker configured now."""
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def task_worker(retries: int = 1000) -> Iterator[TaskLog]:
    """A Celery worker thread on an in-memory broker; tasks queued meanwhile go to it. Mail is
    tried again after fractions of a second instead of minutes, ``retries`` times."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun, task_retry

    from config.celery import app
    from tsunagu.accounts import delivery

    saved = {
        key: app.conf[key]
        for key in ("task_always_eager", "broker_url", "worker_hijack_root_logger")
    }
    pauses = (delivery.FIRST_PAUSE, delivery.LONGEST_PAUSE, delivery.RETRIES)
    app.conf.update(
        task_always_eager=False, broker_url="memory://", worker_hijack_root_logger=False
    )
    _forget_broker(app)
    delivery.FIRST_PAUSE, delivery.LONGEST_PAUSE, delivery.RETRIES = 0.05, 0.5, retries
    skip_checks = os.environ.get("CELERY_SKIP_CHECKS")
    os.environ["CELERY_SKIP_CHECKS"] = "1"  # Django's system checks ran when the tests began
    log = TaskLog()
    task_retry.connect(log._on_retry, weak=False)
    task_postrun.connect(log._on_postrun, weak=False)
    task_postrun.connect(_close_connections, weak=False)
    try:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge("celery")  # left by an earlier test
        with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
            yield log
    finally:
        task_retry.disconnect(log._on_retry)
        task_postrun.disconnect(log._on_postrun)
        task_postrun.disconnect(_close_connections)
        app.conf.update(saved)
        _forget_broker(app)
        delivery.FIRST_PAUSE, delivery.LONGEST_PAUSE, delivery.RETRIES = pauses
        if skip_checks is None:
            os.environ.pop("CELERY_SKIP_CHECKS", None)


def wait_until(condition: Callable[[], Any], timeout: float = 60, what: str = "") -> Any:
    """Polls until ``condition()`` is true; fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {what or condition}")
        time.sleep(0.05)
