from __future__ import annotations

from django.apps import AppConfig


class DigestConfig(AppConfig):
    name = "tsunagu.digest"
    label = "digest"

    def ready(self) -> None:
        from tsunagu.notify.sections import Section, add_section

        from .prefs import preference_form, save_preference

        # How often the digest comes is chosen on the notification settings page.
        add_section(
            Section(
                key="digest",
                template="digest/_preference_field.html",
                form=preference_form,
                save=save_preference,
            )
        )
