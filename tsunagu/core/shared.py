"""Shared blocks: HTML that is the same for every reader of a page, rendered once from a template
and cached under the revision of what it shows, with holes for what is each reader's own.

A thread of 50 comments, a talk room's newest page, an event's lists: rendering them costs more
than the rest of the request together, and almost all of it is the same for every reader. What
is not (the CSRF token, whether a stamp is the reader's, the edit link on the reader's own
comment, the reader's poll) is left as a hole when the block is rendered, and filled per request
by one regular-expression pass.

**In a template**::

    {% load shared %}
    <input type="hidden" name="csrfmiddlewaretoken" value="{% hole "csrf" %}">
    <button class="stamp" aria-pressed="{% hole "pressed" comment.pk stamp.key %}">…</button>
    {% holeblock "own" comment.pk %}<a href="…/edit/">{% translate "Edit" %}</a>{% endholeblock %}
    {% hole "poll" %}

``{% hole name args… %}`` is replaced by what the reader's resolver for ``name`` returns for
those arguments: text is escaped, HTML must be safe (``render_to_string`` of a template).
``{% holeblock name args… %}…{% endholeblock %}`` keeps its content, holes filled, when the
resolver returns true, and drops it otherwise: the markup stays in the template even when only
some readers see it. Arguments are numbers or short keys (letters, digits, ``_ . -``).

**The marker.** A hole is written as NUL, a marker derived from the secret key, the name and its
arguments. Text written by members is escaped and cannot hold NUL (``core.text``), but even
without that it could not forge a hole: the marker never reaches a browser, since ``fill()``
replaces every hole, and an unknown one renders nothing and is logged.

**In the app.** The view reads the block with ``block(key, build, timeout)`` and fills it with
the resolvers of the reader, which each app keeps in one module, ``<app>/holes.py``.
``Block.facts`` carries what the builder learned and the resolvers need (who wrote each comment
of the page), cached with the HTML.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cache
from html import escape as html_escape
from typing import Any, TypeVar, cast

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeData, SafeString, mark_safe

from tsunagu.core import caching

log = logging.getLogger(__name__)

Resolver = Callable[..., Any]
T = TypeVar("T")
R = TypeVar("R")

NAME = re.compile(r"[a-z][a-z_]*\Z")
ARGUMENT = re.compile(r"[A-Za-z0-9_.\-]*\Z")
VALUE_END, SECTION_START = "\x00", "\x01"


@cache
def _marker(secret: str) -> str:
    return salted_hmac("tsunagu.core.shared", "hole", secret=secret).hexdigest()[:16]


def marker() -> str:
    """What begins every hole, after NUL: derived from the secret key, never sent."""
    return _marker(settings.SECRET_KEY)


@cache
def _pattern(mark: str) -> re.Pattern[str]:
    """A hole (group 3 is NUL), the opening of a section (group 3 is SOH) or a section's end
    (no name)."""
    return re.compile(f"\x00{mark}(?:([a-z_]+)((?::[A-Za-z0-9_.\\-]*)*)([\x00\x01])|/\x00)")


def _opening(name: str, args: tuple[object, ...]) -> str:
    if not NAME.match(name):
        raise ValueError(f"a hole's name is lowercase letters and _: {name!r}")
    text = [str(arg) for arg in args]
    for arg in text:
        if not ARGUMENT.match(arg) or len(arg) > 64:
            raise ValueError(f"a hole's argument is a number or a short key: {arg!r}")
    return f"\x00{marker()}{name}" + "".join(f":{arg}" for arg in text)


def hole(name: str, *args: object) -> SafeString:
    """A hole for the reader's ``name`` with ``args`` (``{% hole %}`` in templates)."""
    marked = _opening(name, args) + VALUE_END
    return mark_safe(marked)  # noqa: S308 - our marker: a name and checked arguments


def section(name: str, *args: object) -> tuple[SafeString, SafeString]:
    """The opening and closing of a section kept for some readers (``{% holeblock %}``)."""
    opening = _opening(name, args) + SECTION_START
    closing = "\x00" + marker() + "/" + VALUE_END
    return mark_safe(opening), mark_safe(closing)  # noqa: S308 - our markers, as above


def _escaped(value: Any) -> str:
    """conditional_escape() without its wrappers (a third of a fill's time): numbers as they
    are, safe HTML as it is, anything else escaped as Django's ``escape`` does."""
    if value.__class__ is int or isinstance(value, SafeData):
        return str(value)
    return html_escape(str(value))


def fill(
    html: str, resolvers: Mapping[str, Resolver], *, where: str, text: bool = False
) -> SafeString:
    """``html`` with every hole filled by ``resolvers`` (name → function of the hole's
    arguments, as strings), and each section kept or dropped. Sections may hold sections; what
    a dropped one holds is not asked for. ``where`` names the block in the log when a hole has
    no resolver. ``text``: ``html`` is plain text (a mail's text part), and values go in as they
    are."""
    out: list[str] = []
    kept: list[bool] = []  # the sections open at this point: whether each is kept
    dropped = 0  # how many of them are dropped
    at = 0
    for match in _pattern(marker()).finditer(html):
        if not dropped:
            out.append(html[at : match.start()])
        at = match.end()
        name, raw, kind = match.groups()
        if name is None:  # a section's end
            if kept and not kept.pop():
                dropped -= 1
            continue
        if dropped:
            if kind == SECTION_START:
                kept.append(False)
                dropped += 1
            continue
        resolver = resolvers.get(name)
        if resolver is None:
            _unknown(where, name)
        args = raw.split(":")[1:]
        if kind == SECTION_START:
            keep = resolver is not None and bool(resolver(*args))
            kept.append(keep)
            dropped += not keep
        elif resolver is not None:
            value = resolver(*args)
            out.append(str(value) if text else _escaped(value))
    if not dropped:
        out.append(html[at:])
    return mark_safe("".join(out))  # noqa: S308 - holes hold escaped or safe HTML


_WARNED: set[tuple[str, str]] = set()


def _unknown(where: str, name: str) -> None:
    if (where, name) not in _WARNED:
        _WARNED.add((where, name))
        log.warning("shared block %s: no resolver for the hole %r; it renders nothing", where, name)


@dataclass
class Block:
    """A shared block: its HTML with holes, and what its resolvers need to know of it."""

    html: str
    facts: dict[str, Any] = field(default_factory=dict)

    def fill(
        self, resolvers: Mapping[str, Resolver], *, where: str, text: bool = False
    ) -> SafeString:
        return fill(self.html, resolvers, where=where, text=text)


_KEPT: dict[Hashable, Any] = {}
KEPT_MAX = 512


def kept(key: Hashable, build: Callable[[], T]) -> T:
    """What ``build`` makes, kept in this process under ``key``, which must name everything the
    result depends on (a network's name and address, the language, the role's links), so that
    nothing ever has to forget it: a change makes another key. For small blocks every page
    carries (the header, the footer), where even a cache round trip costs more than filling
    them. At most ``KEPT_MAX`` entries; the oldest go first."""
    try:
        return cast(T, _KEPT[key])
    except KeyError:
        pass
    value = _KEPT[key] = build()
    if len(_KEPT) > KEPT_MAX:
        _KEPT.pop(next(iter(_KEPT)), None)
    return value


def version_of(*shown: object) -> str:
    """A row's version for ``rows()``: a short digest of everything the row shows, so that a
    change of any of it renders the row anew (and nothing has to forget the old one)."""
    return hashlib.blake2b(repr(shown).encode(), digest_size=12).hexdigest()


def rows(
    name: str,
    items: list[R],
    *,
    version: Callable[[R], object],
    render: Callable[[R], str],
    resolvers: Mapping[str, Resolver],
    where: str,
    prepare: Callable[[list[R]], object] | None = None,
) -> list[SafeString]:
    """The rows of a list, each shared by every reader (``caching.cached_rows()`` under
    ``version(item)``, rendered by ``render(item)`` from a template) and filled for this one
    by ``resolvers`` (their new marks, their own status)."""
    html = caching.cached_rows(name, items, version, render, prepare)
    return [fill(row, resolvers, where=where) for row in html]


def block(name: str, build: Callable[[], Block], timeout: int) -> Block:
    """The block cached under ``name`` (a ``caching.key`` that names the revision of what it
    shows), built on a miss."""
    return caching.cached(name, build, timeout)
