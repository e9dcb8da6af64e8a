"""A real push service and a browser's keys, for the tests of Web Push.

``PushService`` is an HTTP server on 127.0.0.1 that takes pushes as a browser's push service
does (RFC 8030): it keeps every request and answers 201, or what it is told to answer for an
address (410 for a subscription that is gone, 500 a number of times, a delay longer than the
sender waits). ``BrowserKeys`` makes the P-256 key pair and authentication secret a browser makes
when it subscribes, and decrypts what was pushed to it, as the browser would.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Pushed:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int
    times: int | None  # None: for ever
    delay: float = 0.0


@dataclass
class PushService:
    port: int = 0
    received: list[Pushed] = field(default_factory=list)  # every request, whatever the answer
    _answers: dict[str, Answer] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def endpoint(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/push/{name}"

    def answer(self, name: str, status: int, times: int | None = None, delay: float = 0.0) -> None:
        """Answers pushes to ``endpoint(name)`` with ``status`` (after ``delay`` seconds),
        ``times`` times or for ever; then 201 again."""
        with self._lock:
            self._answers[f"/push/{name}"] = Answer(status, times, delay)

    def to(self, name: str) -> list[Pushed]:
        with self._lock:
            return [p for p in self.received if p.path == f"/push/{name}"]

    def _answer_for(self, path: str) -> Answer:
        with self._lock:
            answer = self._answers.get(path)
            if answer is None:
                return Answer(201, None)
            if answer.times is not None:
                answer.times -= 1
                if answer.times <= 0:
                    del self._answers[path]
            return answer

    def start(self) -> None:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with service._lock:
                    service.received.append(
                        Pushed(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                answer = service._answer_for(self.path)
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender stopped waiting

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextmanager
def push_service() -> Iterator[PushService]:
    service = PushService()
    service.start()
    try:
        yield service
    finally:
        service.stop()


@dataclass
class BrowserKeys:
    """What a browser generates for one subscription: a P-256 key pair and a 16-byte secret."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def subscription(self, endpoint: str) -> dict[str, Any]:
        """PushSubscription.toJSON(), as the browser hands it to the page."""
        return {"endpoint": endpoint, "expirationTime": None,
                "keys": {"p256dh": self.p256dh, "auth": self.auth}}  # fmt: skip

    def decrypt(self, pushed: Pushed) -> dict[str, Any]:
        """The push's content, decrypted with this browser's keys (RFC 8291, aes128gcm)."""
        assert pushed.headers.get("content-encoding") == "aes128gcm"
        plain = http_ece.decrypt(
            pushed.body,
            private_key=self.private_key,
            auth_secret=self.auth_secret,
            version="aes128gcm",
        )
        return json.loads(plain)
