from __future__ import annotations

from celery import shared_task


@shared_task
def apply_retention() -> dict[str, int]:
    """Deletes invitations, notifications and audit entries past their period. Run nightly."""
    from .retention import purge_expired

    return purge_expired()
