"""The HR hook, second version: private addresses and consent, batches of up to 500 with a result
per leaver, Idempotency-Key, retraction, and employees who become alumni on their leaving date."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.notify.models import Notification
from tsunagu.onboarding import actions
from tsunagu.onboarding.models import Invitation, InvitationStatus
from tsunagu.onboarding.tasks import send_scheduled_invitations
from tsunagu.tenancy.models import Membership, Role
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(world: World) -> str:
    with scope(network=world.net_a):
        return actions.new_api_key(world.operator_a)


def call(world: World, key: str, body: Any, *, method: str = "post", idem: str = "") -> Any:
    headers: dict[str, str] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if idem:
        headers["HTTP_IDEMPOTENCY_KEY"] = idem
    return getattr(Client(), method)(
        f"/n/{world.net_a.slug}/api/offboarding/",
        json.dumps(body),
        content_type="application/json",
        **headers,
    )


def leaver(n: int, **extra: Any) -> dict[str, Any]:
    left = (timezone.localdate() + timedelta(days=20)).isoformat()
    return {"email": f"staff{n}@mitsuba.example", "name": f"退職 {n}号", "left_on": left,
            "external_id": f"E{n:04d}", **extra}  # fmt: skip


def invitations(world: World) -> dict[str, Invitation]:
    with scopes_disabled():
        return {i.external_id or i.email: i for i in Invitation.objects.filter(network=world.net_a)}


def test_a_private_address_gets_the_invitation_on_the_leaving_date(world: World, key: str) -> None:
    body = leaver(1, private_email="Hanako.Private@Example.JP", consent=True,
                  consent_at="2026-11-30T15:00:00+09:00")  # fmt: skip
    response = call(world, key, body)

    assert response.status_code == 201, response.content
    assert response.json()["send_on"] == body["left_on"]
    stored = invitations(world)["E0001"]
    assert stored.email == "hanako.private@example.jp"
    assert stored.work_email == "staff1@mitsuba.example"
    assert stored.consented_at.isoformat() == "2026-11-30T06:00:00+00:00"
    assert response.json()["warnings"] == []


def test_a_private_address_on_the_company_domain_is_warned_about(world: World, key: str) -> None:
    response = call(world, key, leaver(2, private_email="home@mitsuba.example"))
    assert response.status_code == 201
    assert "会社" in response.json()["warnings"][0]


def test_the_work_address_is_never_written_to_on_or_after_the_leaving_date(
    world: World, key: str
) -> None:
    today = timezone.localdate()
    gone = leaver(3, left_on=today.isoformat())
    response = call(world, key, gone)
    assert response.json()["status"] == "new" and response.json()["send_on"] is None
    assert response.json()["warnings"]
    assert send_scheduled_invitations() == 0 and not mail.outbox
    # The private address arrives later: the invitation goes there at once.
    later = call(world, key, {**gone, "private_email": "three@example.jp"})
    assert later.status_code == 200 and later.json()["status"] == "queued"
    assert invitations(world)["E0003"].email == "three@example.jp"


def test_a_batch_answers_each_leaver_and_a_bad_row_stops_nobody(world: World, key: str) -> None:
    rows = [leaver(n) for n in range(1, 5)]
    rows[1] = {"email": "not-an-address", "name": "壊れた 行", "left_on": "2030-01-01"}
    rows[2] = {**rows[2], "left_on": "来月"}
    rows.append({"email": world.alumni_a.user.email, "name": "既存", "left_on": "2030-01-01"})
    rows.append("a string")  # type: ignore[arg-type]

    response = call(world, key, {"leavers": rows})

    assert response.status_code == 200
    answer = response.json()
    assert [r["status"] for r in answer["results"]] == [
        "scheduled", "rejected", "rejected", "scheduled", "rejected", "rejected",
    ]  # fmt: skip
    assert "email" in answer["results"][1]["fields"]
    assert "left_on" in answer["results"][2]["fields"]
    assert "すでにネットワークのメンバー" in answer["results"][4]["error"]
    assert (answer["accepted"], answer["rejected"]) == (2, 4)
    assert set(invitations(world)) == {"E0001", "E0004"}


def test_a_batch_of_501_is_refused_whole(world: World, key: str) -> None:
    response = call(world, key, {"leavers": [leaver(n) for n in range(501)]})
    assert response.status_code == 400 and "500" in response.json()["error"]
    assert not invitations(world)


def test_a_retried_batch_creates_nothing_twice_and_another_body_is_409(
    world: World, key: str
) -> None:
    body = {"leavers": [leaver(n) for n in range(1, 4)]}
    first = call(world, key, body, idem="batch-2026-12-06")
    again = call(world, key, body, idem="batch-2026-12-06")
    other = call(world, key, {"leavers": [leaver(9)]}, idem="batch-2026-12-06")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert other.status_code == 409 and "Idempotency-Key" in other.json()["error"]
    assert len(invitations(world)) == 3
    with scopes_disabled():
        assert AuditEntry.objects.filter(action=AuditAction.OFFBOARDING).count() == 3


def test_delete_retracts_a_scheduled_leaver_but_not_a_sent_one(world: World, key: str) -> None:
    call(world, key, leaver(1))
    call(world, key, leaver(2, private_email="two@example.jp",
                            left_on=timezone.localdate().isoformat()))  # fmt: skip

    assert call(world, key, {"external_id": "E0001"}, method="delete").status_code == 200
    assert invitations(world)["E0001"].status == InvitationStatus.REVOKED
    sent = call(world, key, {"external_id": "E0002"}, method="delete")
    assert sent.status_code == 409
    assert call(world, key, {"external_id": "E9999"}, method="delete").status_code == 404


def test_do_not_invite_from_hr_blocks_both_addresses(world: World, key: str) -> None:
    response = call(world, key, leaver(1, private_email="p@example.jp", do_not_invite=True))
    assert response.json()["status"] == "blocked"
    later = call(world, key, leaver(1, private_email="p@example.jp"))
    assert later.json()["status"] == "blocked"
    assert send_scheduled_invitations() == 0 and not mail.outbox


def test_an_employee_member_becomes_alumni_on_the_leaving_date(world: World, key: str) -> None:
    employee = world.employee_a
    left_on = timezone.localdate() + timedelta(days=10)
    body = {"email": employee.user.email, "name": "鈴木 一郎", "left_on": left_on.isoformat(),
            "external_id": "E0100"}  # fmt: skip
    response = call(world, key, body)
    assert response.status_code == 201 and response.json()["status"] == "becomes_alumni"

    assert send_scheduled_invitations() == 0
    with scopes_disabled():
        assert Membership.objects.get(pk=employee.pk).role == Role.EMPLOYEE
    with time_machine.travel(timezone.now() + timedelta(days=10, hours=1)):
        send_scheduled_invitations()
    with scopes_disabled():
        assert Membership.objects.get(pk=employee.pk).role == Role.ALUMNI
        assert Notification.objects.filter(recipient=employee.user, kind="became_alumni").exists()
        change = AuditEntry.objects.get(action=AuditAction.CHANGE_ROLE, target=employee)
    assert change.actor is None and change.detail["after"] == Role.ALUMNI
    assert not [m for m in mail.outbox if "招待" in m.subject]  # no invitation to a member


def test_retracting_a_leaving_employee_keeps_them_an_employee(world: World, key: str) -> None:
    left_on = (timezone.localdate() + timedelta(days=5)).isoformat()
    call(world, key, {"email": world.employee_a.user.email, "name": "鈴木",
                      "left_on": left_on, "external_id": "E0200"})  # fmt: skip
    assert call(world, key, {"external_id": "E0200"}, method="delete").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        send_scheduled_invitations()
    with scopes_disabled():
        assert Membership.objects.get(pk=world.employee_a.pk).role == Role.EMPLOYEE


def test_the_openapi_description_is_published(world: World) -> None:
    response = Client().get("/api/offboarding/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    leaver_schema = doc["components"]["schemas"]["Leaver"]["properties"]
    for field in ("private_email", "consent", "consent_at", "do_not_invite", "external_id"):
        assert field in leaver_schema
    assert "delete" in doc["paths"]["/n/{network_slug}/api/offboarding/"]


@pytest.mark.django_db(transaction=True)
def test_an_hr_system_posting_batches_with_retries_against_a_live_server(
    world: World, key: str, live_server: Any
) -> None:
    """The HR system sends the month's leavers in batches of 200; the answer to the second is
    lost on the way and it retries with the same key, then sends the third."""
    url = f"{live_server.url}/n/{world.net_a.slug}/api/offboarding/"
    everyone = [leaver(n) for n in range(600)]

    def post(batch: list[dict[str, Any]], idem: str) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - the test's own live server
            url,
            data=json.dumps({"leavers": batch}).encode(),
            headers={
                "Authorization": f"Bearer {key}",
                "Idempotency-Key": idem,
                "Content-Type": "application/json",
            },  # fmt: skip
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310
            return json.loads(answer.read())

    answers = [post(everyone[:200], "hr-run-1")]
    post(everyone[200:400], "hr-run-2")  # its answer "times out" at the HR system
    answers.append(post(everyone[200:400], "hr-run-2"))
    answers.append(post(everyone[400:], "hr-run-3"))

    assert [a["accepted"] for a in answers] == [200, 200, 200]
    with scopes_disabled():
        assert Invitation.objects.filter(network=world.net_a).count() == 600
        assert AuditEntry.objects.filter(action=AuditAction.OFFBOARDING).count() == 600
    with pytest.raises(urllib.error.HTTPError) as refused:
        post(everyone[:5], "hr-run-1")
    assert refused.value.code == 409
