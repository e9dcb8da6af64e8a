"""Markdown written by members, rendered and then cleaned against an explicit allowlist."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import nh3
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token


def own_upload_path(src: str) -> str | None:
    """The site-relative address of ``src`` if it is a file uploaded to this site, else None.

    An image anywhere else would tell its host who reads the page, and when. Only addresses that
    resolve to a view marked ``@serves_upload`` count, written as a path or under ``SITE_URL``.
    """
    try:
        parts = urlsplit(src)
        site = urlsplit(settings.SITE_URL)
    except ValueError:
        return None
    if (parts.scheme or parts.netloc) and (
        parts.scheme.lower() != site.scheme.lower() or parts.netloc.lower() != site.netloc.lower()
    ):
        return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if not getattr(match.func, "serves_upload", False):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def _link_to(token: Token, src: str) -> list[Token]:
    """What an image from elsewhere becomes: its alt text, linking to it (or the address alone)."""
    text = token.children or [Token("text", "", 0, content=src)]
    attrs: dict[str, str | int | float] = {"href": src}
    if token.attrGet("title"):
        attrs["title"] = token.attrs["title"]
    opening = Token("link_open", "a", 1, attrs=attrs)
    return [opening, *text, Token("link_close", "a", -1)]


def _images_from_this_site_only(state: StateCore) -> None:
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = _inline_images(block.children)
        elif block.type in {"th_open", "td_open"}:
            _alignment_as_attribute(block)


def _inline_images(tokens: list[Token]) -> list[Token]:
    result: list[Token] = []
    in_link = 0
    for token in tokens:
        in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
        if token.type != "image":
            result.append(token)
            continue
        src = str(token.attrGet("src") or "")
        own = own_upload_path(src)
        if own is not None:
            token.attrSet("src", own)
            result.append(token)
        elif in_link:  # links do not nest: the text alone, inside the author's link
            result.extend(token.children or [Token("text", "", 0, content=src)])
        else:
            result.extend(_link_to(token, src))
    return result


def _alignment_as_attribute(cell: Token) -> None:
    # A style attribute would need the Content-Security-Policy to allow inline styles.
    style = str(cell.attrs.pop("style", ""))
    if style.startswith("text-align:"):
        cell.attrSet("align", style.removeprefix("text-align:"))


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
_md.core.ruler.push("images_from_this_site_only", _images_from_this_site_only)

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    html = _md.render(text or "")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above
