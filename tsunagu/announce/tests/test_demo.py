"""The demo holds one announcement sent last month, shown to the operator, mailing no one."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_past_announcement_with_its_counts() -> None:
    call_command("seed_demo", members=6, stdout=io.StringIO())
    with scopes_disabled():
        operator = User.objects.get(email="operator@example.com")
    from django.test import Client

    client = Client()
    client.force_login(operator)
    page = client.get("/n/mitsuba/manage/announcements/")
    assert page.status_code == 200
    assert "2026年度 アルムナイ総会を開きます" in page.content.decode()
    [announcement] = page.context["page"].object_list
    assert announcement.sent_count + announcement.skipped_count == announcement.audience_size
    status = client.get(f"/n/mitsuba/manage/announcements/{announcement.pk}/")
    assert 'data-state="done"' in status.content.decode()
    assert not [m for m in mail.outbox if "総会を開きます" in m.subject]
