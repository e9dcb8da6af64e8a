"""``{% entry_brand as brand %}``: the public brand of the network the visitor is on the way to
(tenancy/branding.py), for the account pages."""

from __future__ import annotations

from typing import Any

from django import template

from tsunagu.tenancy.branding import EntryBrand
from tsunagu.tenancy.branding import entry_brand as brand_of

register = template.Library()


@register.simple_tag(takes_context=True)
def entry_brand(context: Any) -> EntryBrand | None:
    request = context.get("request")
    return brand_of(request) if request is not None else None
