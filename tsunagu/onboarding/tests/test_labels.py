"""Waiting applications and exit interview codes read as what they wait for in Japanese, not as
the events' waiting list (キャンセル待ち)."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from tsunagu.onboarding.models import ApplicationStatus


def test_a_pending_application_and_an_unused_code_say_what_they_wait_for() -> None:
    with translation.override("ja"):
        assert str(ApplicationStatus.PENDING.label) == "確認待ち"
        code = Template('{% load i18n %}{% translate "Waiting" context "exit interview code" %}')
        assert code.render(Context()) == "登録待ち"
