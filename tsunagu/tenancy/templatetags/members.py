"""``{{ membership|shown_name }}``: an author's name, or 「退会したメンバー」 (tenancy/names.py)."""

from __future__ import annotations

from django import template

from tsunagu.tenancy import names
from tsunagu.tenancy.models import Membership

register = template.Library()


@register.filter
def shown_name(membership: Membership | None) -> str:
    return names.shown_name(membership)
