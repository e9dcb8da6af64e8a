"""``{% hole %}`` and ``{% holeblock %}``: the reader's parts of a shared block (core/shared.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.utils.safestring import SafeString

from tsunagu.core import shared

register = template.Library()


@register.simple_tag
def hole(name: str, *args: Any) -> SafeString:
    """{% hole "pressed" comment.pk stamp.key %}: filled per reader by the resolver ``name``."""
    return shared.hole(name, *args)


class HoleBlockNode(Node):
    def __init__(self, name: FilterExpression, args: list[FilterExpression], body: NodeList):
        self.name, self.args, self.body = name, args, body

    def render(self, context: template.Context) -> str:
        opening, closing = shared.section(
            self.name.resolve(context), *(arg.resolve(context) for arg in self.args)
        )
        return opening + self.body.render(context) + closing


@register.tag
def holeblock(parser: Parser, token: Token) -> HoleBlockNode:
    """{% holeblock "own" comment.pk %}…{% endholeblock %}: kept for the readers whose resolver
    ``own`` answers true for those arguments, dropped for the others."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("holeblock takes the name of its resolver")
    body = parser.parse(("endholeblock",))
    parser.delete_first_token()
    name, *args = (parser.compile_filter(bit) for bit in bits[1:])
    return HoleBlockNode(name, args, body)
