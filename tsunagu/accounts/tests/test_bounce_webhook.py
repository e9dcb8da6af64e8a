"""The mail provider's bounce notifications: a permanent bounce marks the address, a soft one does
not; only a caller with the shared secret is heard, and only where the secret is set."""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.test import Client

from tsunagu.accounts.models import UndeliverableAddress
from tsunagu.testing.world import World

URL = "/mail/bounces/"
SECRET = "b0unce-s3cret-for-the-tests-0123456789"


@pytest.fixture
def secret(settings: Any) -> str:
    settings.BOUNCE_WEBHOOK_SECRET = SECRET
    return SECRET


def post(body: Any, secret: str | None = SECRET, **headers: str) -> Any:
    if secret is not None:
        headers.setdefault("Authorization", f"Bearer {secret}")
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Client().post(URL, data=data, content_type="application/json", headers=headers)


def marked() -> set[str]:
    return set(UndeliverableAddress.objects.values_list("email", flat=True))


def ses_bounce(bounce_type: str, *addresses: str, kind: str = "Bounce") -> dict[str, Any]:
    """An Amazon SES notification as SNS delivers it to an HTTPS subscription."""
    message = {
        "notificationType": kind,
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General" if bounce_type == "Permanent" else "MailboxFull",
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": f"smtp; 550 5.1.1 <{address}>: user unknown",
                }
                for address in addresses
            ],
            "timestamp": "2026-12-01T01:02:03.000Z",
            "feedbackId": "0100-feedback",
        },
        "mail": {"timestamp": "2026-12-01T01:02:00.000Z", "destination": list(addresses)},
    }
    return {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": "arn:aws:sns:ap-northeast-1:123456789012:tsunagu-bounces",
        "Message": json.dumps(message),
        "Timestamp": "2026-12-01T01:02:04.000Z",
        "SignatureVersion": "1",
    }


@pytest.mark.django_db
def test_without_a_secret_set_up_the_address_does_not_exist(settings: Any) -> None:
    settings.BOUNCE_WEBHOOK_SECRET = ""
    answer = post({"bounces": [{"email": "taro@example.jp", "type": "permanent"}]}, secret="")
    assert answer.status_code == 404
    assert Client().get(URL).status_code == 404
    assert marked() == set()


@pytest.mark.django_db
@pytest.mark.usefixtures("secret")
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong", f"Bearer {SECRET}x", f"Token {SECRET}", "Basic !!!", "Bearer "],
)
def test_a_caller_without_the_secret_is_refused(authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    answer = post(
        {"bounces": [{"email": "taro@example.jp", "type": "permanent"}]}, secret=None, **headers
    )
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Basic")
    assert "error" in answer.json()
    assert marked() == set()


@pytest.mark.django_db
@pytest.mark.usefixtures("secret")
def test_only_permanent_bounces_mark_the_address() -> None:
    answer = post(
        {
            "bounces": [
                {"email": "Taro@Example.jp", "type": "permanent", "reason": "550 5.1.1 unknown"},
                {"email": "hanako@example.jp", "type": "transient", "reason": "452 mailbox full"},
                {"email": "jiro@example.jp", "type": "undetermined"},
            ]
        }
    )
    assert answer.status_code == 200
    assert answer.json() == {"marked": 1, "ignored": 2}
    assert marked() == {"taro@example.jp"}
    assert UndeliverableAddress.objects.get().reason == "550 5.1.1 unknown"


@pytest.mark.django_db
@pytest.mark.usefixtures("secret")
@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "JSON"),
        (b"[1, 2]", "JSON"),
        ({"bounces": "taro@example.jp"}, "bounces"),
        ({"bounces": [{"email": "taro@example.jp"}]}, "bounces[0]"),
        ({"bounces": [{"email": "not an address", "type": "permanent"}]}, "bounces[0].email"),
        ({"Type": "Notification", "Message": "{broken"}, "SNS"),
        ({"something": "else"}, "bounces"),
        ({"bounces": [{"email": "a@example.jp", "type": "permanent"}] * 501}, "500"),
    ],
)
def test_a_bad_body_is_a_400_that_says_what_is_wrong(body: Any, says: str) -> None:
    answer = post(body)
    assert answer.status_code == 400
    assert says in answer.json()["error"]
    assert marked() == set()


@pytest.mark.django_db
@pytest.mark.usefixtures("secret")
def test_amazon_ses_through_sns_with_the_secret_as_basic_password() -> None:
    basic = "Basic " + base64.b64encode(f"tsunagu:{SECRET}".encode()).decode()
    answer = post(ses_bounce("Permanent", "gone@example.jp", "Old@Example.jp"), secret=None,
                  Authorization=basic)  # fmt: skip
    assert answer.status_code == 200 and answer.json() == {"marked": 2, "ignored": 0}
    assert marked() == {"gone@example.jp", "old@example.jp"}
    assert "550 5.1.1" in UndeliverableAddress.objects.get(email="gone@example.jp").reason
    for soft in (
        ses_bounce("Transient", "full@example.jp"),
        ses_bounce("Undetermined", "maybe@example.jp"),
        ses_bounce("Permanent", "complained@example.jp", kind="Complaint"),
    ):
        answer = post(soft, secret=None, Authorization=basic)
        assert answer.status_code == 200 and answer.json()["marked"] == 0
    assert marked() == {"gone@example.jp", "old@example.jp"}
    # Raw message delivery: the SES notification itself.
    raw = json.loads(ses_bounce("Permanent", "raw@example.jp")["Message"])
    assert post(raw).json() == {"marked": 1, "ignored": 0}
    assert "raw@example.jp" in marked()


@pytest.mark.django_db
@pytest.mark.usefixtures("secret")
def test_an_sns_subscription_is_logged_for_the_operator_to_confirm(
    caplog: pytest.LogCaptureFixture,
) -> None:
    confirm = "https://sns.ap-northeast-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc"
    with caplog.at_level(logging.WARNING, logger="tsunagu.accounts.views"):
        answer = post({"Type": "SubscriptionConfirmation", "SubscribeURL": confirm})
    assert answer.status_code == 200 and answer.json() == {"marked": 0, "ignored": 0}
    assert confirm in caplog.text


@pytest.mark.django_db(transaction=True)
def test_sns_posting_over_http_marks_the_address_and_its_owner_is_asked_at_once(
    world: World, live_server: Any, settings: Any
) -> None:
    """As Amazon SNS calls it: text/plain, its own headers, the secret as the password of the
    address; the member, signed in with a cached session, sees the notice on the next page and
    the operators count them."""
    settings.BOUNCE_WEBHOOK_SECRET = SECRET
    member = world.client(world.alumni_a)
    assert "data-mailbox-notice" not in member.get("/n/mitsuba-a/").content.decode()
    address = world.alumni_a.user.email
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        f"{live_server.url}{URL}",
        data=json.dumps(ses_bounce("Permanent", address)).encode(),
        headers={
            "Content-Type": "text/plain; charset=UTF-8",
            "x-amz-sns-message-type": "Notification",
            "User-Agent": "Amazon Simple Notification Service Agent",
            "Authorization": "Basic " + base64.b64encode(f"tsunagu:{SECRET}".encode()).decode(),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        assert json.loads(answer.read()) == {"marked": 1, "ignored": 0}
    wrong = urllib.request.Request(  # noqa: S310
        f"{live_server.url}{URL}",
        data=json.dumps(ses_bounce("Permanent", "other@example.jp")).encode(),
        headers={"Authorization": "Bearer nope"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(wrong, timeout=30)  # noqa: S310
    assert refused.value.code == 401
    assert marked() == {address}
    assert "data-mailbox-notice" in member.get("/n/mitsuba-a/").content.decode()
    console = world.client(world.operator_a).get("/n/mitsuba-a/manage/console/")
    assert 'data-undeliverable="1"' in console.content.decode()
