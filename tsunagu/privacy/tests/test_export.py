"""Downloading one's own data (開示)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.privacy.models import DataExport
from tsunagu.testing.world import World

from .helpers import OTHERS, fill

CANARY = "開示カナリア-91b2"
pytestmark = pytest.mark.django_db


def ask_for_export(world: World, capture) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    client = world.client(world.alumni_a)
    with capture(execute=True):
        response = client.post("/accounts/privacy/export/")
    assert response.status_code == 302
    [message] = [m for m in mail.outbox if "/accounts/privacy/export/" in m.body]
    url = re.search(r"http://testserver(/accounts/privacy/export/\d+/)", message.body)[1]  # type: ignore[index]
    download = client.get(url)
    assert download.status_code == 200
    return url, b"".join(download.streaming_content)


def test_the_zip_holds_every_kind_of_the_persons_data_and_nothing_of_others(
    world: World, django_capture_on_commit_callbacks
) -> None:
    fill(world, CANARY)
    _url, content = ask_for_export(world, django_capture_on_commit_callbacks)
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = set(archive.namelist())
    for kind in (
        "account", "memberships", "profiles", "life_updates", "board_threads", "board_comments",
        "board_stamps", "talk_messages", "talk_stamps", "article_comments", "article_stamps",
        "articles", "event_registrations", "opportunity_applications", "survey_responses",
        "survey_answers", "notification_preferences", "digest_preferences", "audit_entries",
        "email_addresses", "invitations",
    ):  # fmt: skip
        assert f"{kind}.json" in names, kind
        assert f"{kind}.csv" in names, kind
    everything = "\n".join(archive.read(n).decode("utf-8", "replace") for n in names)
    assert OTHERS not in everything  # others' comments and messages are left out
    assert "匿名の回答-77aa" not in everything  # anonymous answers have no link to anyone
    messages = json.loads(archive.read("talk_messages.json"))
    assert len(messages) == 2 and all(CANARY in m["body"] for m in messages)  # both networks
    shared = json.loads(archive.read("shared_room_messages.json"))  # a room of a link
    assert [m["body"] for m in shared] == [f"合同 {CANARY}"]
    answers = json.loads(archive.read("survey_answers.json"))
    assert [a["text"] for a in answers] == [f"名前つき {CANARY}"] * 2
    # The files they uploaded: profile photos, board and talk attachments, CVs.
    folders = {n.split("/")[1] for n in names if n.startswith("files/")}
    assert {"profiles", "board_files", "talk_files", "opportunity_applications"} <= folders
    cvs = [n for n in names if n.startswith("files/opportunity_applications/")]
    assert archive.read(cvs[0]).startswith(b"%PDF")
    csv_text = archive.read("profiles.csv").decode("utf-8")
    assert csv_text.startswith("\ufeff") and f"display_name {CANARY}" in csv_text


def test_the_export_is_recorded_in_every_network_of_the_person(
    world: World, django_capture_on_commit_callbacks
) -> None:
    fill(world, CANARY)
    ask_for_export(world, django_capture_on_commit_callbacks)
    with scopes_disabled():
        entries = AuditEntry.objects.filter(action=AuditAction.EXPORT_PERSONAL_DATA)
        assert sorted(e.network_id for e in entries) == sorted([world.net_a.pk, world.net_b.pk])


def test_a_second_request_within_a_day_is_refused_with_the_time_of_the_next(
    world: World, django_capture_on_commit_callbacks
) -> None:
    client = world.client(world.alumni_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/privacy/export/")
        response = client.post("/accounts/privacy/export/", follow=True)
    assert DataExport.objects.count() == 1
    page = response.content.decode()
    assert "24時間に1回まで" in page
    next_at = timezone.localtime(DataExport.objects.get().requested_at + timedelta(hours=24))
    assert f"{next_at.hour}:{next_at:%M}" in page


def test_someone_elses_link_is_missing_and_an_expired_one_says_so(
    world: World, django_capture_on_commit_callbacks
) -> None:
    url, _content = ask_for_export(world, django_capture_on_commit_callbacks)
    assert world.client(world.alumni_b).get(url).status_code == 404
    assert world.client(world.operator_a).get(url).status_code == 404
    assert world.client(None).get(url).status_code == 302  # to the login page
    DataExport.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = world.client(world.alumni_a).get(url)
    assert expired.status_code == 410
    assert "期限" in expired.content.decode() or "expired" in expired.content.decode()


def test_expired_exports_are_deleted_with_their_files(
    world: World, django_capture_on_commit_callbacks
) -> None:
    from tsunagu.privacy.tasks import delete_expired_exports

    ask_for_export(world, django_capture_on_commit_callbacks)
    export = DataExport.objects.get()
    path = export.file.path
    DataExport.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert delete_expired_exports() == 1
    assert not DataExport.objects.exists()
    import os

    assert not os.path.exists(path)


def test_the_overview_costs_the_same_however_many_exports_there_are(
    world: World, django_assert_num_queries
) -> None:
    client = world.client(world.alumni_a)
    client.get("/accounts/privacy/")  # the session and the user are cached from here on
    # The session, the five latest exports, the last request (24 hours) and a pending erasure.
    for days in range(1, 9):
        DataExport.objects.create(user=world.alumni_a.user)
        DataExport.objects.filter(requested_at__gte=timezone.now() - timedelta(minutes=1)).update(
            requested_at=timezone.now() - timedelta(days=days)
        )
    with django_assert_num_queries(4):
        page = client.get("/accounts/privacy/")
    assert page.status_code == 200
    assert page.content.decode().count("<li data-export>") == 5  # the five latest requests
