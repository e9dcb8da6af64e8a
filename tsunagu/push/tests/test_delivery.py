"""Pushes reach a member's device through a real push service on 127.0.0.1, encrypted so that
only that browser can read them; the push service's answers decide what happens next."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from py_vapid import Vapid02

from tsunagu.careers.tests.helpers import answer, make_opportunity
from tsunagu.notify import actions
from tsunagu.notify.models import Notification, NotificationPreference
from tsunagu.push.models import PushSubscription
from tsunagu.push.tasks import send_push
from tsunagu.push.tests.service import BrowserKeys, PushService
from tsunagu.tenancy.models import Status
from tsunagu.testing.world import World

from .helpers import send_direct_message, subscribe

pytestmark = pytest.mark.django_db

MESSAGE = "来週のOB会、参加しますか？ 会場は内緒です"


def notify(network: Any, *args: Any, **kwargs: Any) -> None:
    with scope(network=network):
        actions.notify(network, *args, **kwargs)


def jwt_claims(authorization: str) -> dict[str, Any]:
    token = authorization.split("t=", 1)[1].split(",", 1)[0]
    claims = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))


def test_a_direct_message_reaches_the_phone_encrypted_for_that_browser_alone(
    world: World, service: PushService, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response, phone = subscribe(world.client(world.alumni_a), service.endpoint("hanako-phone"))
    assert response.status_code == 201

    with django_capture_on_commit_callbacks(execute=True):
        send_direct_message(world.operator_a, world.alumni_a, MESSAGE)

    [pushed] = service.to("hanako-phone")
    content = phone.decrypt(pushed)
    sender = world.operator_a.user.name
    assert content["title"] == "三ツ葉商事 アルムナイ"
    assert content["body"] == f"{sender}さんからメッセージが届きました。"
    assert content["url"].startswith("/n/mitsuba-a/talk/r/")
    with scopes_disabled():
        notification = Notification.objects.get(recipient=world.alumni_a.user, kind="talk_direct")
    assert content["tag"] == f"tsunagu-{notification.pk}"
    # What the lock screen may show is the in-app sentence, never the message itself.
    assert MESSAGE not in json.dumps(content, ensure_ascii=False)

    # Another browser's keys cannot read it.
    with pytest.raises(Exception):  # noqa: B017 - http_ece raises cryptography's InvalidTag
        BrowserKeys().decrypt(pushed)

    # Kept a day for a phone that is off; a direct message wakes the phone.
    assert pushed.headers["ttl"] == "86400"
    assert pushed.headers["urgency"] == "high"
    # Signed with the site's VAPID key, for this push service, naming whom to write to.
    authorization = pushed.headers["authorization"]
    assert authorization.startswith("vapid t=")
    assert authorization.endswith(f",k={settings.TSUNAGU_VAPID_PUBLIC_KEY}")
    assert Vapid02.verify(authorization)
    claims = jwt_claims(authorization)
    assert claims["aud"] == f"http://127.0.0.1:{service.port}"
    assert claims["sub"] == settings.TSUNAGU_VAPID_SUBJECT
    assert claims["exp"] > timezone.now().timestamp()

    device = PushSubscription.objects.get()
    assert device.last_success_at is not None
    assert device.failures == 0


def test_the_push_is_in_the_recipients_language_and_reaches_each_of_their_devices(
    world: World, service: PushService, django_capture_on_commit_callbacks: Any
) -> None:
    world.alumni_a.user.language = "en"
    world.alumni_a.user.save()
    client = world.client(world.alumni_a)
    _response, phone = subscribe(client, service.endpoint("phone"))
    _response, laptop = subscribe(client, service.endpoint("laptop"))
    event_title = "秋の交流会"

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            world.net_a,
            [world.alumni_a.user],
            "event_reminder",
            params={"title": event_title, "when": "tomorrow at 19:00"},
            url="/n/mitsuba-a/events/1/",
        )

    for name, keys in (("phone", phone), ("laptop", laptop)):
        [pushed] = service.to(name)
        content = keys.decrypt(pushed)
        assert content["body"] == f"Reminder: “{event_title}” starts tomorrow at 19:00."
        assert content["url"] == "/n/mitsuba-a/events/1/"
        assert pushed.headers["urgency"] == "normal"


def test_the_progress_of_an_application_reaches_the_applicants_phone_by_default(
    world: World, service: PushService, django_capture_on_commit_callbacks: Any
) -> None:
    _response, phone = subscribe(world.client(world.alumni_a), service.endpoint("phone"))
    opportunity = make_opportunity(world.employee_a)
    found = answer(world.alumni_a, opportunity)

    with django_capture_on_commit_callbacks(execute=True):
        response = world.client(world.employee_a).post(
            f"/n/mitsuba-a/careers/answers/{found.pk}/status/", {"status": "interview"}
        )
    assert response.status_code == 302
    [pushed] = service.to("phone")
    content = phone.decrypt(pushed)
    title = opportunity.title
    assert content["body"] == f"「{title}」への応募の状況が「面談中」になりました。"
    assert content["url"] == "/n/mitsuba-a/careers/mine/"


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_no_longer_knows_is_removed(
    world: World, service: PushService, status: int, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client(world.alumni_a)
    subscribe(client, service.endpoint("old-phone"))
    subscribe(client, service.endpoint("new-phone"))
    service.answer("old-phone", status)

    with django_capture_on_commit_callbacks(execute=True):
        send_direct_message(world.operator_a, world.alumni_a, MESSAGE)

    assert len(service.to("old-phone")) == 1
    assert len(service.to("new-phone")) == 1
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        service.endpoint("new-phone")
    ]
    # The next message goes to the device that is left, and nothing more to the old one.
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.net_a, [world.alumni_a.user], "talk_mention",
               params={"actor": "佐藤", "room": "雑談"})  # fmt: skip
    assert len(service.to("old-phone")) == 1
    assert len(service.to("new-phone")) == 2


def test_only_members_of_the_network_who_want_it_get_the_push(
    world: World, service: PushService, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(world.client(world.alumni_a), service.endpoint("alumni-a"))
    subscribe(world.client(world.employee_a), service.endpoint("employee-a"))
    subscribe(world.client(world.alumni_b), service.endpoint("alumni-b"))
    subscribe(world.client(world.outsider), service.endpoint("outsider"))
    with scope(network=world.net_a):
        NotificationPreference.objects.create(
            network=world.net_a, user=world.employee_a.user, kind="talk_mention", push=False
        )
    everyone = [world.alumni_a.user, world.employee_a.user, world.alumni_b.user, world.outsider]

    with django_capture_on_commit_callbacks(execute=True):
        notify(world.net_a, everyone, "talk_mention", params={"actor": "佐藤", "room": "雑談"})
        # Announcements are not pushed unless a member asks for them.
        notify(world.net_a, everyone, "announcement", params={"title": "総会のご案内"})

    assert [len(service.to(n)) for n in ("alumni-a", "employee-a", "alumni-b", "outsider")] == [
        1, 0, 0, 0,
    ]  # fmt: skip

    with scope(network=world.net_a):
        NotificationPreference.objects.create(
            network=world.net_a, user=world.employee_a.user, kind="announcement", push=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.net_a, everyone, "announcement", params={"title": "総会のご案内"})
    assert [len(service.to(n)) for n in ("alumni-a", "employee-a", "alumni-b", "outsider")] == [
        1, 1, 0, 0,
    ]  # fmt: skip


@pytest.mark.parametrize("change", ["left", "suspended", "account deactivated", "read", "off"])
def test_nothing_is_pushed_when_things_change_before_it_goes(
    world: World, service: PushService, change: str, django_capture_on_commit_callbacks: Any
) -> None:
    """The push is decided when it is sent: a member who left, was suspended or deactivated,
    read the notification meanwhile or turned pushes off gets nothing, on the first try or a
    later one (a retry, a task the broker delivers again)."""
    subscribe(world.client(world.alumni_a), service.endpoint("phone"))
    member = world.alumni_a
    with django_capture_on_commit_callbacks(execute=False) as queued:
        send_direct_message(world.operator_a, member, MESSAGE)
    with scopes_disabled():
        notification = Notification.objects.get(recipient=member.user, kind="talk_direct")
        if change in ("left", "suspended"):
            member.status = Status.LEFT if change == "left" else Status.SUSPENDED
            member.save()
        elif change == "account deactivated":
            member.user.is_active = False
            member.user.save()
        elif change == "read":
            Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
        else:
            NotificationPreference.objects.create(
                network=world.net_a, user=member.user, kind="talk_direct", push=False
            )
    for callback in queued:
        callback()
    send_push.delay(world.net_a.pk, notification.pk, PushSubscription.objects.get().pk)
    assert service.received == []
    assert PushSubscription.objects.get().failures == 0


def test_without_vapid_keys_nothing_is_offered_or_sent(
    world: World, service: PushService, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client(world.alumni_a)
    subscribe(client, service.endpoint("phone"))
    settings.TSUNAGU_VAPID_PRIVATE_KEY = settings.TSUNAGU_VAPID_PUBLIC_KEY = ""

    with django_capture_on_commit_callbacks(execute=True):
        send_direct_message(world.operator_a, world.alumni_a, MESSAGE)

    assert service.received == []
    response, _keys = subscribe(client, service.endpoint("tablet"))
    assert response.status_code == 404
    assert "data-push-devices" not in client.get("/accounts/settings/").content.decode()


def test_without_a_broker_a_push_service_that_is_down_fails_no_page(
    world: World, service: PushService, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(world.client(world.alumni_a), service.endpoint("phone"))
    service.stop()

    with django_capture_on_commit_callbacks(execute=True):
        send_direct_message(world.operator_a, world.alumni_a, MESSAGE)

    device = PushSubscription.objects.get()  # kept: the service is down, the phone is not gone
    assert device.failures == 1
    assert device.last_error
    assert device.last_success_at is None
