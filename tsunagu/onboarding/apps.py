from __future__ import annotations

from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "tsunagu.onboarding"
    label = "onboarding"

    def ready(self) -> None:
        from . import kinds, signals  # noqa: F401 - registers notification kinds and receivers
