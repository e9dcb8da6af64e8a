"""The layout's header and footer, built in Python.

Every page carries them: through the template engine they cost about as much as a light page's
own content. The markup is what ``base.html`` had, built with the standard library's ``escape``
on every value and the words looked up once per page. What the header lists inside a network
(its links, the bell, the counts, the visitor's networks) comes from ``core/navigation.py``,
which the apps fill in.
"""

from __future__ import annotations

from html import escape
from types import SimpleNamespace
from typing import Any

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tsunagu.core import caching, navigation

from .tsunagu import initials

register = template.Library()


_TEXTS: dict[str, SimpleNamespace] = {}


def _texts() -> SimpleNamespace:
    """The layout's words in the current language, escaped, looked up once per language and
    process (outside f-strings, so that makemessages finds them)."""
    language = get_language()
    texts = _TEXTS.get(language)
    if texts is None:
        texts = _TEXTS[language] = _lookup_texts()
    return texts


def _lookup_texts() -> SimpleNamespace:
    return SimpleNamespace(
        account_settings=escape(_("Account settings")),
        change_password=escape(_("Change password")),
        language=escape(_("Language")),
        log_in=escape(_("Log in")),
        log_out=escape(_("Log out")),
        main=escape(_("Main")),
        my_networks=escape(_("My networks")),
        network=escape(_("Network")),
        search=escape(_("Search")),
        search_this_network=escape(_("Search this network")),
        sign_up=escape(_("Sign up")),
        two_factor_authentication=escape(_("Two-factor authentication")),
        tagline=escape(_("the open-source home for alumni networks")),
    )


BELL = (
    '<svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22"><path fill="currentColor" '
    'd="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 '
    '1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"/></svg>'
)


def _current(flag: bool) -> str:
    return ' aria-current="page"' if flag else ""


def page_token(request: Any) -> str:
    """One masked CSRF token for every form of the page: the layout's, the page's own and the
    htmx header (masking draws 32 random characters each time)."""
    token = getattr(request, "_page_csrf_token", None)
    if token is None:
        token = request._page_csrf_token = get_token(request)
    return str(token)


@register.simple_tag(takes_context=True)
def page_csrf_token(context: Any) -> str:
    return page_token(context["request"])


def _csrf_input(request: Any) -> str:
    field = getattr(request, "_layout_csrf_input", None)
    if field is None:
        token = escape(page_token(request))
        field = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        request._layout_csrf_input = field
    return field


def _brand(network: Any, site: dict[str, str]) -> str:
    if network is None:
        return (
            f'<a class="brand" href="{escape(site["home"])}"><span class="brand__mark '
            'brand__mark--tsunagu" aria-hidden="true">繋</span><span class="brand__name">'
            "Tsunagu</span></a>"
        )
    if network.logo:
        mark = f'<img class="brand__logo" src="{escape(network.logo.url)}" alt="">'
    else:
        mark = (
            f'<span class="brand__mark" aria-hidden="true">{escape(initials(network.name))}</span>'
        )
    return (
        f'<a class="brand" href="{escape(network.get_absolute_url())}">{mark}'
        f'<span class="brand__name">{escape(network.name)}</span></a>'
    )


def read_with_layout(request: Any, keys: list[str]) -> dict[str, Any]:
    """The view's own cache entries ``keys`` and the header's, read in one round trip; the
    header then reads nothing more. For a member's page of a network (request.membership)."""
    header = navigation.header_keys(request, request.network, request.membership)
    found = caching.read_many([*keys, *header])
    request._layout_found = found
    return found


def _prefetch(request: Any, network: Any, membership: Any) -> dict[str, Any]:
    """Everything the header reads from the cache, in one call: the bell, the talk total and
    the visitor's networks (nothing, when the view read them already: read_with_layout())."""
    found = getattr(request, "_layout_found", None)
    if found is not None:
        return found
    return caching.read_many(navigation.header_keys(request, network, membership))


def _bell(
    context: Any, network: Any, membership: Any, links: dict[str, str], found: dict[str, Any]
) -> str:
    count = navigation.bell()
    if count is None:
        return ""
    unread = count.read(context, network, membership, found)
    # The name is the word and the count as shown (axe's label-content-name-mismatch): the
    # socket changes the badge's number, and with it what a screen reader reads.
    label = escape(_("Notifications"))
    return (
        f'<a class="iconlink bell" href="{escape(links["notifications"])}" '
        f'data-network-socket="{escape(network.slug)}">{BELL}'
        f'<span class="visually-hidden">{label}</span>'
        f'<span class="badge" data-unread-count {"" if unread else "hidden"}>{unread}</span></a>'
    )


def _menu(request: Any, network: Any, site: dict[str, str], found: dict[str, Any]) -> str:
    t = _texts()
    user = request.user
    menu = navigation.networks()
    networks = menu.read(user, found) if menu is not None else []
    items = ""
    if networks:
        rows = "".join(
            f'<li><a href="{escape(n["url"])}"'
            f'{_current(network is not None and n["id"] == network.pk)}><svg class="dot" '
            f'viewBox="0 0 2 2" aria-hidden="true"><circle cx="1" cy="1" r="1" '
            f'fill="{escape(n["brand_color"])}"/></svg>{escape(n["name"])}</a></li>'
            for n in networks
        )
        heading = t.my_networks
        items = f'<p class="menu__heading">{heading}</p><ul class="menu__list">{rows}</ul>'
    name = escape(user.name)
    return (
        '<details class="menu"><summary class="menu__button"><span class="avatar avatar--sm" '
        f'aria-hidden="true">{escape(initials(user.name))}</span><span class="menu__label">{name}'
        f'</span></summary><div class="menu__panel">{items}<ul class="menu__list">'
        f'<li><a href="{escape(site["account_settings"])}">{t.account_settings}</a></li>'
        f'<li><a href="{escape(site["mfa_index"])}">{t.two_factor_authentication}</a>'
        f'</li><li><a href="{escape(site["account_change_password"])}">'
        f'{t.change_password}</a></li><li><form method="post" '
        f'action="{escape(site["account_logout"])}">{_csrf_input(request)}<button '
        f'class="linklike" type="submit">{t.log_out}</button></form></li></ul></div>'
        "</details>"
    )


def _link(
    context: Any,
    link: navigation.Link,
    network: Any,
    membership: Any,
    href: str,
    path: str,
    found: dict[str, Any],
) -> str:
    label = escape(str(link.label))
    current = _current(link.current(path, href))
    if link.count is None:
        return f'<a href="{escape(href)}"{current}>{label}</a>'
    # A count the page's script keeps current (the talk socket: the unread messages).
    unread = link.count.read(context, network, membership, found)
    return (
        f'<a class="subnav__{link.key}" href="{escape(href)}"'
        f'{current}>{label}<span class="subnav__badge" '
        f"{link.count_attribute} {'' if unread else 'hidden'}>{unread}</span></a>"
    )


def _subnav(
    context: Any, network: Any, membership: Any, links: dict[str, str], found: dict[str, Any]
) -> str:
    t = _texts()
    path = context["request"].path
    anchors = "".join(
        _link(context, link, network, membership, links[link.key], path, found)
        for link in navigation.links()
        if link.shown(membership)
    )
    return (
        f'<nav class="subnav" aria-label="{t.network}"><div class="subnav__inner">'
        f'{anchors}<form class="subnav__search" method="get" action="{escape(links["search"])}" '
        f'role="search"><input type="search" name="q" maxlength="100" '
        f'aria-label="{t.search_this_network}" placeholder="{t.search}">'
        "</form></div></nav>"
    )


@register.simple_tag(takes_context=True)
def layout_header(context: Any) -> SafeString:
    request = context["request"]
    t = _texts()
    network, membership = context.get("network"), context.get("membership")
    site, links = context["site_links"], context.get("network_links") or {}
    found: dict[str, Any] = {}
    # A request refused before AuthenticationMiddleware (a disallowed host, a NUL byte) has no
    # user: its 400 page gets the anonymous header.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        found = _prefetch(request, network, membership)
        bell = _bell(context, network, membership, links, found) if network and membership else ""
        nav = bell + _menu(request, network, site, found)
    else:
        nav = (
            f'<a class="button button--ghost" href="{escape(site["account_login"])}">'
            f'{t.log_in}</a><a class="button" href="{escape(site["account_signup"])}">'
            f"{t.sign_up}</a>"
        )
    subnav = _subnav(context, network, membership, links, found) if network and membership else ""
    return mark_safe(  # noqa: S308 - every value escaped above
        f'<header class="topbar"><div class="topbar__inner">{_brand(network, site)}'
        f'<nav class="topnav" aria-label="{t.main}">{nav}</nav></div>{subnav}</header>'
    )


@register.simple_tag(takes_context=True)
def layout_footer(context: Any) -> SafeString:
    t = _texts()
    request = context["request"]
    current = get_language()
    pressed = ' aria-pressed="true" class="is-current"'
    buttons = "".join(
        f'<button type="submit" name="language" value="{code}" lang="{code}" '
        f'aria-describedby="lang-label"{pressed if code == current else ""}>'
        f"{'日本語' if code == 'ja' else 'English'}</button>"
        for code, _name in settings.LANGUAGES
    )
    return mark_safe(  # noqa: S308 - every value escaped above
        '<footer class="footer"><div class="footer__inner"><form class="langswitch" '
        f'method="post" action="{escape(context["site_links"]["set_language"])}">'
        f'{_csrf_input(request)}<input type="hidden" name="next" '
        f'value="{escape(request.get_full_path())}"><span id="lang-label">'
        f'{t.language}</span>{buttons}</form><p class="footer__note">Tsunagu — '
        f"{t.tagline}</p></div></footer>"
    )
