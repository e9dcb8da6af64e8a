"""The links of the layout, reversed once per process (and per network) instead of on every page."""

from __future__ import annotations

from functools import lru_cache

from django.template import Context
from django.templatetags.static import static
from django.urls import reverse
from django_htmx.templatetags.django_htmx import htmx_script

SITE_LINKS = (
    "home", "account_settings", "mfa_index", "account_change_password", "account_logout",
    "account_login", "account_signup", "set_language", "brand_css",
)  # fmt: skip
NETWORK_LINKS = {
    "home": "feed:home",
    "search": "feed:search",
    "news": "news:list",
    "careers": "careers:list",
    "about": "tenancy:about",
    "notifications": "notify:list",
    "directory": "profiles:directory",
    "my_profile": "profiles:me",
    "events": "events:list",
    "surveys": "surveys:list",
    "boards": "boards:index",
    "talk": "talk:index",
    "manage": "onboarding:members",
    "manage_settings": "tenancy:manage_settings",
    "boards_new": "boards:new_thread",
    "boards_unanswered": "boards:unanswered",
    "boards_search": "boards:search",
    "boards_manage_categories": "boards:manage_categories",
    "boards_moderation": "boards:moderation",
    "news_create": "news:create",
    "member_invite": "onboarding:member_invite",
    "supporters": "programme:welcome_queue",
    "ledger": "programme:ledger",
    "linked_people": "collab:people",
}


STATIC_FILES = {
    "css": "tsunagu/tsunagu.css",
    "js": "tsunagu/tsunagu.js",
    "favicon": "tsunagu/favicon.svg",
    "apple_touch_icon": "push/apple-touch-icon.png",
}
# The installable app: its manifest and the service worker every page registers.
APP_LINKS = {"manifest": "push:manifest", "service_worker": "push:service_worker"}


@lru_cache(maxsize=1)
def site_links() -> dict[str, str]:
    links = {name: reverse(name) for name in SITE_LINKS}
    links |= {key: reverse(name) for key, name in APP_LINKS.items()}
    links |= {f"static_{key}": static(path) for key, path in STATIC_FILES.items()}
    # What {% htmx_script %} would write on every page: files only, no inline script.
    links["htmx_script"] = str(htmx_script(Context()))
    return links


@lru_cache(maxsize=4096)
def network_links(slug: str) -> dict[str, str]:
    return {
        key: reverse(name, kwargs={"network_slug": slug}) for key, name in NETWORK_LINKS.items()
    }


SENTINEL = 987654321


@lru_cache(maxsize=4096)
def _pattern(slug: str, name: str, key: str) -> tuple[str, str]:
    head, _sentinel, tail = reverse(name, kwargs={"network_slug": slug, key: SENTINEL}).partition(
        str(SENTINEL)
    )
    return head, tail


def network_link(slug: str, name: str, key: str, pk: int) -> str:
    """The address of view ``name`` for the object ``pk`` (its URL keyword ``key``) in the
    network: reversed once per process and network with a stand-in id, then filled in."""
    head, tail = _pattern(slug, name, key)
    return f"{head}{int(pk)}{tail}"
