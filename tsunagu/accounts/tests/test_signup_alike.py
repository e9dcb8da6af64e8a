"""Signing up with a known address takes the same work as with a new one, so the time of the
answer does not tell who has an account: each hashes the password once and queues one mail."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest
from celery.signals import task_prerun
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client

from tsunagu.accounts.models import User
from tsunagu.core.testing.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "さくら-満開-2026-春"


class CountingHasher(MD5PasswordHasher):
    """A real hasher that also counts the passwords it hashes."""

    algorithm = "counting_md5"
    hashed: ClassVar[int] = 0

    def encode(self, password: str, salt: str) -> str:
        type(self).hashed += 1
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def _counting_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]


@pytest.fixture
def mail_tasks() -> Iterator[list[str]]:
    """The names of the tasks that run, as Celery starts them."""
    names: list[str] = []

    def started(sender: Any = None, **kwargs: Any) -> None:
        names.append(sender.name)

    task_prerun.connect(started, weak=False)
    yield names
    task_prerun.disconnect(started)


def work_of_sign_up(
    email: str, capture: Callable[..., Any], mail_tasks: list[str]
) -> dict[str, Any]:
    CountingHasher.hashed = 0
    mail_tasks.clear()
    mail.outbox.clear()
    with capture(execute=False) as callbacks:
        response = Client().post(
            "/accounts/signup/",
            {"name": "山田 花子", "email": email, "password1": PASSWORD, "password2": PASSWORD},
        )
    sent_during_request = len(mail.outbox)
    for callback in callbacks:  # the request's transaction commits
        callback()
    return {
        "status": response.status_code,
        "location": response["Location"],
        "passwords_hashed": CountingHasher.hashed,
        "mails_sent_during_the_request": sent_during_request,
        "tasks_queued": list(mail_tasks),
        "mails": [(m.to, m.subject) for m in mail.outbox],
    }


def test_a_known_and_a_new_address_take_the_same_work(
    django_capture_on_commit_callbacks: Callable[..., Any], mail_tasks: list[str]
) -> None:
    make_user(email="hanako@example.jp", name="山田 花子")

    new = work_of_sign_up("jiro@example.jp", django_capture_on_commit_callbacks, mail_tasks)
    known = work_of_sign_up("hanako@example.jp", django_capture_on_commit_callbacks, mail_tasks)

    assert User.objects.filter(email="jiro@example.jp").exists()
    assert User.objects.filter(email="hanako@example.jp").count() == 1
    for work in (new, known):
        assert work["status"] == 302
        assert work["location"] == "/accounts/confirm-email/"
        assert work["passwords_hashed"] == 1
        assert work["mails_sent_during_the_request"] == 0
        assert work["tasks_queued"] == ["tsunagu.accounts.tasks.send_account_mail"]
    assert new["mails"] == [(["jiro@example.jp"], "[Tsunagu] メールアドレスを確認してください")]
    # The owner of the known address hears that someone tried to sign up with it.
    assert known["mails"] == [(["hanako@example.jp"], "[Tsunagu] アカウントが既に存在")]
