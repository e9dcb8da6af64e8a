from __future__ import annotations

from typing import Any

from django import template
from django.utils.dateparse import parse_datetime

from ..session import KEY

register = template.Library()


@register.inclusion_tag("privacy/fragment_erasure_notice.html", takes_context=True)
def erasure_notice(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"due_at": None}
    due = request.session.get(KEY)  # type: ignore[union-attr]
    return {"due_at": parse_datetime(due) if due else None}
