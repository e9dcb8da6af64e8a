"""Subscribing a device, refusing what is not a browser's subscription, and the list of devices:
each member sees and removes only their own."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tsunagu.push.actions import MAX_DEVICES
from tsunagu.push.models import PushSubscription
from tsunagu.push.tests.service import BrowserKeys, PushService, b64url
from tsunagu.testing.world import World

from .helpers import IPHONE_SAFARI, post_json, subscribe

pytestmark = pytest.mark.django_db

FCM = "https://fcm.googleapis.com/fcm/send/dGVzdC1kZXZpY2U:APA91bH"


def endpoints_of(member: Any) -> list[str]:
    return list(
        PushSubscription.objects.filter(user=member.user).values_list("endpoint", flat=True)
    )


def test_a_member_turns_pushes_on_and_sees_the_device_in_the_account_settings(
    world: World,
) -> None:
    client = world.client(world.alumni_a)
    page = client.get("/accounts/settings/").content.decode()
    assert "data-push-devices" in page
    assert "この端末で通知を受け取る" in page

    response, _keys = subscribe(client, FCM + "1", HTTP_USER_AGENT=IPHONE_SAFARI)
    assert response.status_code == 201
    assert response.json() == {"message": "この端末で通知を受け取ります。"}
    again, _keys = subscribe(client, FCM + "1", HTTP_USER_AGENT=IPHONE_SAFARI)
    assert again.status_code == 200  # the same browser again: still one device

    page = client.get("/accounts/settings/").content.decode()
    assert "Safari · iPhone" in page
    assert endpoints_of(world.alumni_a) == [FCM + "1"]
    assert FCM not in page  # the endpoint is the device's secret


def bad(**changes: Any) -> dict[str, Any]:
    subscription = BrowserKeys().subscription(FCM + "bad")
    keys = subscription["keys"]
    for name, value in changes.items():
        if name == "endpoint":
            subscription["endpoint"] = value
        else:
            keys[name] = value
    return subscription


def not_on_the_curve() -> str:
    return b64url(b"\x04" + b"\x01" * 64)


NOT_A_SERVICE = "This browser's push service is not one this site sends to."
NOT_A_KEY = "The browser's key is not a P-256 public key."
NOT_A_SECRET = "The browser's authentication secret is not 16 bytes."
REQUIRED = "This field is required."


@pytest.mark.parametrize(
    ("subscription", "field", "message"),
    [
        (bad(p256dh=not_on_the_curve()), "p256dh", NOT_A_KEY),
        (bad(p256dh=b64url(b"\x04" + b"\x01" * 31)), "p256dh", NOT_A_KEY),
        (bad(p256dh="not base64 at all!"), "p256dh", NOT_A_KEY),
        (bad(auth=b64url(b"x" * 12)), "auth", NOT_A_SECRET),
        (bad(auth="***"), "auth", NOT_A_SECRET),
        (bad(auth=None), "auth", REQUIRED),
        (bad(endpoint="http://fcm.googleapis.com/fcm/send/x"), "endpoint", NOT_A_SERVICE),
        (bad(endpoint="https://intranet.example.jp/push/x"), "endpoint", NOT_A_SERVICE),
        (bad(endpoint="https://10.0.0.5/push/x"), "endpoint", NOT_A_SERVICE),
        (bad(endpoint="https://fcm.googleapis.com.evil.example/x"), "endpoint", NOT_A_SERVICE),
        (bad(endpoint="https://user@fcm.googleapis.com/x"), "endpoint", NOT_A_SERVICE),
        (bad(endpoint="http://127.0.0.1:9/push/x"), "endpoint", NOT_A_SERVICE),
        ("{not json", "endpoint", REQUIRED),
        ([1, 2, 3], "endpoint", REQUIRED),
    ],
)
def test_a_subscription_with_bad_keys_or_address_is_refused_with_a_clear_message(
    world: World, settings: Any, subscription: Any, field: str, message: str
) -> None:
    settings.TSUNAGU_PUSH_ALLOW_LOCAL = False
    client = world.client(world.alumni_a)
    response = post_json(client, "/push/subscribe/", subscription, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert message in response.json()["error"] or len(response.json()["errors"]) > 1
    assert not PushSubscription.objects.exists()


def test_the_refusal_is_in_the_members_language(world: World) -> None:
    keys = BrowserKeys()
    subscription = keys.subscription(FCM + "x")
    subscription["keys"]["auth"] = base64.b64encode(b"short").decode()
    response = post_json(world.client(world.alumni_a), "/push/subscribe/", subscription)
    assert response.status_code == 400
    assert response.json()["error"] == "ブラウザーの認証用シークレットが16バイトではありません。"


def test_subscribing_needs_a_login_and_the_pages_csrf_token(world: World) -> None:
    subscription = BrowserKeys().subscription(FCM + "1")
    anonymous = post_json(Client(), "/push/subscribe/", subscription, HTTP_ACCEPT_LANGUAGE="en")
    assert anonymous.status_code == 403
    assert anonymous.json()["error"] == "Log in again to change notifications on this device."
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.alumni_a.user)
    assert post_json(strict, "/push/subscribe/", subscription).status_code == 403
    assert world.client(world.alumni_a).get("/push/subscribe/").status_code == 405
    assert not PushSubscription.objects.exists()


def test_a_browser_another_account_subscribes_becomes_that_accounts(world: World) -> None:
    """The shared computer: one member signed out, another signed in and turned pushes on."""
    keys = BrowserKeys()
    subscribe(world.client(world.alumni_a), FCM + "shared", keys)
    response, _keys = subscribe(world.client(world.employee_a), FCM + "shared", keys)
    assert response.status_code == 201
    assert endpoints_of(world.alumni_a) == []
    assert endpoints_of(world.employee_a) == [FCM + "shared"]


def test_an_account_keeps_its_most_recent_devices(world: World) -> None:
    client = world.client(world.alumni_a)
    for i in range(MAX_DEVICES + 2):
        subscribe(client, f"{FCM}{i:02d}")
    kept = sorted(endpoints_of(world.alumni_a))
    assert kept == [f"{FCM}{i:02d}" for i in range(2, MAX_DEVICES + 2)]


def test_a_member_removes_their_own_device_but_gets_404_for_anothers(world: World) -> None:
    hanako = world.client(world.alumni_a)
    subscribe(hanako, FCM + "hanako", HTTP_USER_AGENT=IPHONE_SAFARI)
    subscribe(world.client(world.alumni_b), FCM + "shota")
    mine = PushSubscription.objects.get(endpoint=FCM + "hanako")
    theirs = PushSubscription.objects.get(endpoint=FCM + "shota")

    for intruder in (world.operator_a, world.alumni_b, world.outsider):
        response = world.client(intruder).post(f"/push/devices/{mine.pk}/remove/")
        assert response.status_code == 404
    assert hanako.post(f"/push/devices/{theirs.pk}/remove/").status_code == 404
    assert PushSubscription.objects.count() == 2

    response = hanako.post(
        f"/push/devices/{mine.pk}/remove/", {"next": "/accounts/settings/"}, follow=True
    )
    assert response.redirect_chain == [("/accounts/settings/", 302)]
    assert "Safari · iPhoneでは通知を受け取らなくなりました。" in response.content.decode()
    assert list(PushSubscription.objects.all()) == [theirs]


def test_stopping_on_this_device_removes_only_the_members_own_subscription(
    world: World,
) -> None:
    hanako = world.client(world.alumni_a)
    subscribe(hanako, FCM + "hanako")
    subscribe(world.client(world.alumni_b), FCM + "shota")

    refused = post_json(hanako, "/push/unsubscribe/", {"endpoint": FCM + "shota"})
    assert refused.status_code == 404
    assert post_json(hanako, "/push/unsubscribe/", "junk").status_code == 400
    stopped = post_json(hanako, "/push/unsubscribe/", {"endpoint": FCM + "hanako"})
    assert stopped.status_code == 200
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [FCM + "shota"]


def test_signing_out_stops_pushes_to_that_browser_only(world: World) -> None:
    phone, laptop = world.client(world.alumni_a), world.client(world.alumni_a)
    subscribe(phone, FCM + "phone")
    subscribe(laptop, FCM + "laptop")

    phone.post("/accounts/logout/")

    assert endpoints_of(world.alumni_a) == [FCM + "laptop"]


def test_a_local_push_service_is_refused_unless_allowed(
    world: World, service: PushService, settings: Any
) -> None:
    client = world.client(world.alumni_a)
    settings.TSUNAGU_PUSH_ALLOW_LOCAL = False
    response, _keys = subscribe(client, service.endpoint("phone"))
    assert response.status_code == 400
    settings.TSUNAGU_PUSH_ALLOW_LOCAL = True
    response, _keys = subscribe(client, service.endpoint("phone"))
    assert response.status_code == 201


def test_the_list_of_devices_costs_one_query_however_many_there_are(
    world: World, django_assert_num_queries: Any
) -> None:
    client = world.client(world.alumni_a)
    subscribe(client, FCM + "phone")
    client.get("/accounts/settings/")  # warm the caches of the layout
    with CaptureQueriesContext(connection) as one_device:
        client.get("/accounts/settings/")
    # Read now: the next request empties the connection's log.
    queries = [q["sql"] for q in one_device.captured_queries]
    for i in range(9):
        subscribe(client, f"{FCM}{i}")
    with django_assert_num_queries(len(queries)):
        page = client.get("/accounts/settings/").content.decode()
    assert page.count('class="push-device"') == 10
    assert len([sql for sql in queries if "push_pushsubscription" in sql]) == 1
