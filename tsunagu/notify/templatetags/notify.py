from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import get_template

from tsunagu.notify.views import MAILBOX_LATER

register = template.Library()


@register.simple_tag(takes_context=True)
def mailbox_notice(context: Any) -> str:
    """{% mailbox_notice %}: asks a member whose address refuses mail to update it, on every
    page of their networks until it is resolved or they choose "later" (for the session). The
    flag comes with the signed-in user (accounts/backends.py): nothing is read for everyone
    else."""
    request = context.get("request")
    user: Any = getattr(request, "user", None)
    membership = context.get("membership")
    if not getattr(user, "mail_refused", False) or membership is None or not membership.is_active:
        return ""
    if request.session.get(MAILBOX_LATER):
        return ""
    return get_template("notify/fragment_mailbox_notice.html").render(
        {"email": user.email, "next": request.get_full_path()},
        request,
    )
