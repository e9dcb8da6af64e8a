from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareersConfig(AppConfig):
    name = "tsunagu.careers"
    label = "careers"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        from tsunagu.core.navigation import Link, add_link
        from tsunagu.profiles.extensions import add_directory_filter, add_profile_section
        from tsunagu.tenancy.gates import add_membership_value

        from . import kinds, receivers  # noqa: F401 - notification kinds, cache receivers
        from .access import RECRUITER_MARK, recruiter_mark
        from .directory import FILTER, SECTION

        add_link(Link("careers", _("Opportunities"), 70))
        # The "open to" flags in the directory and on the profile page, for operators and
        # recruiters; whether a member is a recruiter comes with their cached membership.
        add_membership_value(RECRUITER_MARK, recruiter_mark)
        add_directory_filter(FILTER)
        add_profile_section(SECTION)
