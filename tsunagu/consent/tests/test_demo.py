"""The demo networks publish a Japanese policy that every demo member has accepted, so the
demo opens without the re-consent gate."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.consent.models import Consent, HowGiven, PolicyVersion
from tsunagu.tenancy.models import Membership

pytestmark = pytest.mark.django_db


def test_the_demo_members_have_accepted_their_networks_policy() -> None:
    call_command("seed_demo", members=6, past_events=1, stdout=io.StringIO())
    with scopes_disabled():
        assert PolicyVersion.objects.filter(number=1).count() == 2
        assert Consent.objects.filter(how=HowGiven.DEMO).count() == Membership.objects.count()
        operator = User.objects.get(email="operator@example.com")
        alumni = User.objects.get(email="alumni@example.com")
    for user in (operator, alumni):
        client = Client()
        client.force_login(user)
        assert client.get("/n/mitsuba/").status_code == 200
        page = client.get("/n/mitsuba/policy/").content.decode()
        assert "三ツ葉商事株式会社" in page and "利用目的" in page and "data-accepted" in page
