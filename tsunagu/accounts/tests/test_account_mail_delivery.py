"""Account e-mails against a real mail server: a reset asked while the server is down arrives
once it is back; a refused address is marked, and a later mail the server takes unmarks it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tsunagu.accounts.models import UndeliverableAddress
from tsunagu.core.testing.factories import make_user
from tsunagu.core.testing.mail import MailServer, site_mail_server, task_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
ONE_BY_ONE = "tsunagu.accounts.tasks.send_account_mail"


@pytest.fixture
def server(settings: Any) -> Iterator[MailServer]:
    with site_mail_server(settings) as server:
        yield server


def ask_for_a_reset(address: str) -> None:
    response = Client().post("/accounts/password/reset/", {"email": address})
    assert response.status_code == 302


def test_a_password_reset_asked_while_the_server_is_down_arrives_once(
    server: MailServer,
) -> None:
    make_user(email="hanako@example.jp")
    with task_worker() as worker:
        ask_for_a_reset("hanako@example.jp")
        wait_until(lambda: sum(worker.retries_of(ONE_BY_ONE).values()) >= 2, what="retried")
        server.start()
        wait_until(lambda: worker.ended(ONE_BY_ONE) == 1, what="the mail task ended")
    assert server.delivered() == Counter({"hanako@example.jp": 1})
    [(_to, message)] = server.received
    assert "/accounts/password/reset/key/" in message.get_body(("plain",)).get_content()


def test_a_refused_address_is_marked_until_a_mail_reaches_it(server: MailServer) -> None:
    make_user(email="jiro@example.jp")
    server.refuse("jiro@example.jp", "550 5.2.1 Mailbox disabled", times=1)
    server.start()
    with task_worker() as worker:
        ask_for_a_reset("jiro@example.jp")
        wait_until(lambda: worker.ended(ONE_BY_ONE) == 1, what="the mail task ended")
        assert worker.retries_of(ONE_BY_ONE) == {}  # a refusal is not tried again
        refusal = UndeliverableAddress.objects.get()
        assert (refusal.email, refusal.reason) == ("jiro@example.jp", "550 5.2.1 Mailbox disabled")

        ask_for_a_reset("jiro@example.jp")  # the mailbox works again
        wait_until(lambda: worker.ended(ONE_BY_ONE) == 2, what="the second mail task ended")
    assert server.delivered() == Counter({"jiro@example.jp": 1})
    assert not UndeliverableAddress.objects.exists()
