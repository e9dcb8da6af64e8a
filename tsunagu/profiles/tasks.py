"""The directory's background work."""

from __future__ import annotations

from celery import shared_task
from django_scopes import scope

from tsunagu.tenancy.models import Network

from .choices import refresh_choices


@shared_task
def refresh_directory_choices(network_id: int) -> None:
    """Gathers a network's filter choices again (queued by the page that found them out of
    date, which answered with the previous ones meanwhile)."""
    network = Network.objects.filter(pk=network_id).first()
    if network is None:
        return
    with scope(network=network):
        refresh_choices(network_id)
