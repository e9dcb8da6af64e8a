"""Every URL the site knows, asked for with junk by everyone: the answer is never a server error.

The crawl walks the resolver as the isolation matrix does, so a page added later is crawled the
day it is added. Each role of network A, logged in for real, and the visitors from outside ask
every page with hostile path values, junk query strings and junk form posts (the forms found on
the pages themselves); a 5xx or an exception fails the test. Each request runs in its own
savepoint, so one error on PostgreSQL does not hide the rest. About 10,000 requests: under two
minutes per database on two cores.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urlencode, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.tenancy.cache import network_by_slug
from tsunagu.tenancy.middleware import NETWORK_PATH
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import World

from .test_isolation_matrix import Route, Visitor, all_routes, values_from_network_a

HUGE = "99999999999999999999"  # 20 digits: past a 64-bit integer
LONG = quote("長" * 600)
# Every role asks every page with an id past 64 bits and another network's id (added per
# parameter below); the roles that reach the most views (a member, an operator, and the
# anonymous visitor of the public pages) ask it with the whole junk set. A NUL byte is refused
# before the session is read, the same for every role: the whole set has it.
FEW_PATH_VALUES = (HUGE,)
ALL_PATH_VALUES = (HUGE, "a%00b", "0", "-1", "abc", LONG)
ROLES = ("anonymous", "outsider", "alumni", "supporter", "employee", "operator")
WHOLE_JUNK_SET = {"anonymous", "alumni", "operator"}

# The query keys the views read (pagination, search, filters, cursors, links); the fields of
# a page's own search and filter forms are added to them.
QUERY_KEYS = (
    "q", "page", "before", "month", "by", "thumb", "reply_to", "category", "kind", "tag",
    "status", "role", "seen", "encoding", "color", "next", "choose", "past", "type",
)  # fmt: skip
# A word in the names and titles of network A: search forms submitted with it show results,
# and the forms inside them (a new group chat from the people found) are crawled too.
SEARCH_WORD = "カナリア"


def junk_queries(extra_keys: set[str], whole: bool) -> list[str]:
    """Query strings of one flavour each: every key the views read gets the same junk."""
    keys = sorted(set(QUERY_KEYS) | extra_keys)

    def every(value: str) -> str:
        return "&".join(f"{quote(k)}={value}" for k in keys)

    if not whole:
        return [every(HUGE)]
    # Repeated keys: a view reading .get() takes the last value, .getlist() takes them all.
    repeated = "&".join(f"{quote(k)}=0&{quote(k)}={'x' * 5000}&{quote(k)}=abc" for k in keys)
    return [
        every("a%00b") + "&%00=1",
        every(HUGE),
        every("9" * 5000),  # more digits than Python reads as an integer
        every("-1"),
        every("2024-13"),
        repeated,
    ]


class FormReader(HTMLParser):
    """The forms of a page: where each posts or gets, and the names of its fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form":
            method = found.get("method", "get").lower()
            self.forms.append(Form(found.get("action", ""), method, {}, set()))
        elif tag in ("input", "select", "textarea", "button") and self.forms and found.get("name"):
            if found.get("type") == "file":
                self.forms[-1].files.add(found["name"])
            else:
                self.forms[-1].fields.setdefault(found["name"], found.get("value", "1"))


@dataclasses.dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]
    files: set[str]

    def target(self, page_url: str) -> str:
        parts = urlsplit(self.action)
        return (parts.path or urlsplit(page_url).path) + (f"?{parts.query}" if parts.query else "")


def forms_of(response: HttpResponse | None) -> list[Form]:
    if response is None or "html" not in response.get("Content-Type", ""):
        return []
    reader = FormReader()
    reader.feed(response.content.decode("utf-8", "replace"))
    return reader.forms


def junk_posts(form: Form, whole: bool) -> Iterator[dict]:
    """Ids past 64 bits in every field; for the whole set also NUL in every field, every field
    missing, of the wrong type, repeated, and a file that is not what it claims to be."""
    fields = {k: v for k, v in form.fields.items() if k != "csrfmiddlewaretoken"}
    yield {k: HUGE for k in fields}
    if not whole:
        return
    yield {k: f"{v}\x00" for k, v in fields.items()}
    yield {}
    yield {k: "abc" for k in fields}
    # .get() reads the last value, .getlist() all three.
    yield {k: [v, "x" * 5000, "-1"] for k, v in fields.items()}
    if form.files:
        not_an_image = b"GIF89a" + b"\x00" * 64
        yield fields | {k: SimpleUploadedFile("a\x00b.png", not_an_image) for k in form.files}


BROKEN_MULTIPART = b'--xyz\r\nContent-Disposition: form-data; name="title"\r\n\r\nno end'
MULTIPART = "multipart/form-data; boundary=xyz"


@dataclasses.dataclass
class Crawl:
    routes: list[Route]
    values: dict[str, str]
    values_b: dict[str, str]
    failures: list[str] = dataclasses.field(default_factory=list)
    unmatched: dict[tuple[str, str], int] = dataclasses.field(default_factory=dict)
    sent: int = 0

    def send(
        self,
        visitor: Visitor,
        method: str,
        url: str,
        data: dict | bytes | None = None,
        **extra: str,
    ) -> HttpResponse | None:
        """One request as ``visitor``, logged in again if an earlier one logged it out."""
        if visitor.user is not None:
            if SESSION_KEY not in visitor.client.session:
                visitor.client.force_login(visitor.user)
            assert visitor.client.session[SESSION_KEY] == str(visitor.user.pk), url
        where = f"{method.upper()} {url[:200]} {summary(data)}"
        self.sent += 1
        try:
            with transaction.atomic():
                response = getattr(visitor.client, method)(url, data or {}, **extra)
        except Exception as error:  # noqa: BLE001 - the test client re-raises a view's error
            self.failures.append(f"{where}: {type(error).__name__}: {str(error)[:200]}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{where}: answered {response.status_code}")
        return response

    def send_hostile(self, visitor: RoleVisitor, method: str, url: str) -> None:
        """An address that no URL pattern matches, or that names no network, is the same 404
        page whatever it holds: a few of them are asked, every other one is."""
        if refused_before_any_view(url):
            seen = self.unmatched.get((visitor.role, method), 0)
            self.unmatched[(visitor.role, method)] = seen + 1
            if seen >= 20:
                return
        self.send(visitor, method, url)

    def check(self) -> None:
        assert not self.failures, (
            f"{len(self.failures)} server errors in {self.sent} requests:\n"
            + "\n".join(self.failures[:60])
        )


def refused_before_any_view(url: str) -> bool:
    path = unquote(urlsplit(url).path)
    try:
        resolve(path)
    except Resolver404:
        return True
    match = NETWORK_PATH.match(path)
    return match is not None and network_by_slug(match["slug"]) is None


def summary(data: dict | bytes | None) -> str:
    if not isinstance(data, dict) or not data:
        return ""
    shown = {k: "[...]" if isinstance(v, list) else repr(v)[:20] for k, v in data.items()}
    return repr(shown)[:160]


@dataclasses.dataclass
class RoleVisitor(Visitor):
    role: str = ""


def visitor_for(world: World, role: str) -> RoleVisitor:
    users = {
        "anonymous": None,
        "outsider": world.outsider,
        "alumni": world.alumni_a.user,
        "supporter": world.supporter_a.user,
        "employee": world.employee_a.user,
        "operator": world.operator_a.user,
    }
    return RoleVisitor(users[role], world.client(users[role]), role)


def network_b_values(world: World) -> dict[str, str]:
    """The same kinds of objects in network B: ids that exist, in the other network."""
    seen_from_b = dataclasses.replace(
        world,
        net_a=world.net_b,
        operator_a=world.operator_b,
        supporter_a=world.supporter_b,
        employee_a=make_member(world.net_b, make_user(name="社員 B"), role=Role.EMPLOYEE),
        alumni_a=world.alumni_b,
    )
    return values_from_network_a(seen_from_b)


@pytest.fixture
def crawl(world: World) -> Crawl:
    values = values_from_network_a(world)
    values_b = network_b_values(world)
    routes = [r for r in all_routes() if all(p in values for p in r.params)]
    return Crawl(routes, values, values_b)


ENDING = ("delete", "leave", "revoke", "call_off", "cancel", "logout", "remove")


def ends_something(path: str) -> bool:
    """Deleting, leaving, revoking, logging out: asked last, so the other pages still exist."""
    try:
        name = resolve(unquote(path.split("?")[0])).url_name or ""
    except Resolver404:
        return False
    return any(word in name for word in ENDING)


def ordered(routes: list[Route]) -> list[Route]:
    return sorted(routes, key=lambda r: any(word in (r.name or "") for word in ENDING))


def test_every_id_in_an_address_goes_through_the_id_converter() -> None:
    """Django's int converter takes 20 digits, which overflow SQLite: ids use <id:...>."""
    assert [r.route for r in all_routes() if "<int:" in r.route] == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_hostile_path_values_never_give_a_server_error(world: World, crawl: Crawl, role: str):
    visitor = visitor_for(world, role)
    hostile = ALL_PATH_VALUES if role in WHOLE_JUNK_SET else FEW_PATH_VALUES
    for route in ordered(crawl.routes):
        for param in route.params:
            # B's slug with A's ids is the isolation matrix's own check.
            other = () if param == "network_slug" else (crawl.values_b[param],)
            for value in (*hostile, *other):
                url = route.build(crawl.values | {param: value})
                for method in ("get", "post"):
                    crawl.send_hostile(visitor, method, url)
    crawl.check()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_junk_query_strings_and_forms_never_give_a_server_error(
    world: World, crawl: Crawl, role: str
):
    visitor = visitor_for(world, role)
    whole = role in WHOLE_JUNK_SET
    forms: dict[str, Form] = {}  # by where they post
    searched: set[str] = set()
    for route in ordered(crawl.routes):
        url = route.build(crawl.values)
        page = crawl.send(visitor, "get", url)
        found = forms_of(page)
        keys = {k for form in found if form.method == "get" for k in form.fields}
        # A page the visitor may not see (or that only takes a post) stops before the query.
        shown = page is not None and page.status_code == 200
        for query in junk_queries(keys, whole and shown):
            crawl.send(visitor, "get", f"{url}?{query}")
        if whole:  # pages that take a post read the query too (?next=)
            crawl.send(visitor, "post", f"{url}?{junk_queries(keys, whole)[1]}")
        for search in [f for f in found if f.method == "get" and "q" in f.fields]:
            target = search.target(url)
            if target not in searched:
                searched.add(target)
                query = urlencode(search.fields | {"q": SEARCH_WORD})
                found += forms_of(crawl.send(visitor, "get", f"{target}?{query}"))
        for form in found:
            if form.method == "post":
                forms.setdefault(form.target(url), form)
    for action in sorted(forms, key=ends_something):
        for data in junk_posts(forms[action], whole):
            crawl.send(visitor, "post", action, data)
        if whole:
            crawl.send(visitor, "post", action, BROKEN_MULTIPART, content_type=MULTIPART)
    # Pages that take a post without a form of their own (reactions, votes, moves) get the
    # fields of every form seen, with ids past 64 bits.
    every_field = {k: v for form in forms.values() for k, v in form.fields.items()}
    everything = Form("", "post", every_field, set())
    for route in ordered(crawl.routes):
        url = route.build(crawl.values)
        if url not in forms:
            for data in junk_posts(everything, whole=False):
                crawl.send(visitor, "post", url, data)
    if role == "anonymous":  # the session is looked up by its cookie
        visitor.client.cookies.load({"sessionid": "abcdefgh\x00", "django_language": "\x00"})
        for route in crawl.routes:
            crawl.send(visitor, "get", route.build(crawl.values))
    crawl.check()
