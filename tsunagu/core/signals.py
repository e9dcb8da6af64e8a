from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings


def sync_site_with_site_url(sender: Any, **kwargs: Any) -> None:
    """allauth signs its mails with the Site's name and domain: keep them those of SITE_URL."""
    if getattr(sender, "label", None) != "sites":
        return  # once per migrate, right after django.contrib.sites made its default site
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "Tsunagu"}
    )
