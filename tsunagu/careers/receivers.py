"""What the careers app keeps in the cache, forgotten when what it holds changes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tsunagu.collab.models import Link
from tsunagu.core import caching
from tsunagu.profiles.directory import forget_results
from tsunagu.tenancy.cache import forget_membership
from tsunagu.tenancy.models import Membership, Network
from tsunagu.tenancy.names import naming_changed

from .access import may_post_key
from .listing import answered_key, forget_list, forget_network, forget_partners, own_answer_key
from .models import Application, CareersSettings, OpenTo, Opportunity, OpportunityFile, Recruiter


@receiver([post_save, post_delete], sender=CareersSettings)
def forget_members_may_post(sender: type, instance: CareersSettings, **kwargs: Any) -> None:
    """A network that stops letting members post takes the right away at the next request."""
    caching.forget(may_post_key(instance.network_id))


@receiver([post_save, post_delete], sender=Opportunity)
def _opportunity_changed(sender: type, instance: Opportunity, **kwargs: Any) -> None:
    """A new, edited, approved, closed or deleted opportunity changes the list's pages."""
    if not kwargs.get("raw"):
        forget_list(instance.network_id)


@receiver([post_save, post_delete], sender=OpportunityFile)
def _file_changed(sender: type, instance: OpportunityFile, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        forget_list(instance.network_id)


@receiver([post_save, post_delete], sender=Link)
def _link_changed(sender: type, instance: Link, **kwargs: Any) -> None:
    """A link accepted, ended or given other scopes: the networks' offers to each other appear
    or go at the next request (the pages' keys name the partners, access.partner_networks())."""
    # Only a link that is or was active ever shared anything; a request, answered or not,
    # changes nothing here (and costs nothing, as collab's rule against enumeration wants).
    if kwargs.get("raw") or instance.accepted_at is None:
        return
    forget_partners(*[pk for pk in (instance.network_id, instance.partner_id) if pk])


@receiver([post_save, post_delete], sender=Network)
def _network_changed(sender: type, instance: Network, **kwargs: Any) -> None:
    """A network renamed (its name marks its offers elsewhere) or switched off."""
    if not kwargs.get("raw"):
        forget_network(instance.pk)


@receiver([post_save, post_delete], sender=Application)
def _answered(sender: type, instance: Application, **kwargs: Any) -> None:
    """The member's answered ids, and the page's count of answers (moved by an update)."""
    member_id = instance.member_id
    caching.forget(answered_key(member_id), own_answer_key(member_id, instance.opportunity_id))
    forget_list(instance.network_id)


@receiver(post_save, sender=Membership)
def _poster_left_or_returned(
    sender: type, instance: Membership, created: bool, **kwargs: Any
) -> None:
    """The list names a poster who left as a former member (tenancy/names.py)."""
    if kwargs.get("raw") or not naming_changed(created, kwargs.get("update_fields")):
        return
    if Opportunity._base_manager.filter(network_id=instance.network_id, poster=instance).exists():
        forget_list(instance.network_id)


@receiver(post_delete, sender=Membership)
def _poster_gone(sender: type, instance: Membership, **kwargs: Any) -> None:
    forget_list(instance.network_id)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _poster_renamed(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if created or kwargs.get("raw") or (fields is not None and "name" not in fields):
        return
    posted = Opportunity._base_manager.filter(poster__user_id=instance.pk)
    for network_id in set(posted.values_list("network_id", flat=True)):
        forget_list(network_id)


@receiver([post_save, post_delete], sender=OpenTo)
def forget_flag_searches(sender: type, instance: OpenTo, **kwargs: Any) -> None:
    """The directory keeps its searches, those filtered by "open to" flags too: a flag set,
    cleared or shown to another audience shows in the next search."""
    forget_results(instance.network_id)


@receiver([post_save, post_delete], sender=Recruiter)
def forget_recruiter_membership(sender: type, instance: Recruiter, **kwargs: Any) -> None:
    """The mark comes with the cached membership (access.recruiter_mark()): a recruiter gains or
    loses the "open to" filter at their next request."""
    user_ids = Membership._base_manager.filter(pk=instance.membership_id).values_list(
        "user_id", flat=True
    )
    for user_id in user_ids:
        forget_membership(instance.network_id, user_id)
