from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from .models import TIME_ZONES

_ZONES = frozenset(TIME_ZONES)


class UserLanguageMiddleware:
    """Carries a member's saved language into the language cookie when they log in.

    The language of a request then comes from the cookie alone, so no page has to load the user
    just to know which language to speak.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        language = getattr(request, "_tsunagu_login_language", None)
        if language:
            set_language_cookie(request, response, language)
        zone = getattr(request, "_tsunagu_login_time_zone", None)
        if zone is not None:
            set_time_zone_cookie(request, response, zone)
        return response


TIME_ZONE_COOKIE = "tsunagu_tz"


class UserTimeZoneMiddleware:
    """Shows times in the member's time zone, read from a cookie set at login and in settings.

    Like the language, the zone comes from a cookie, so no page loads the user to know it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = request.COOKIES.get(TIME_ZONE_COOKIE, "")
        if zone in _ZONES:
            timezone.activate(ZoneInfo(zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def set_time_zone_cookie(request: HttpRequest, response: HttpResponse, zone: str) -> None:
    if zone in _ZONES:
        response.set_cookie(
            TIME_ZONE_COOKIE,
            zone,
            max_age=60 * 60 * 24 * 365,
            samesite="Lax",
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(TIME_ZONE_COOKIE, samesite="Lax")


def set_language_cookie(request: HttpRequest, response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE or 60 * 60 * 24 * 365,
        samesite="Lax",
        secure=request.is_secure(),
    )


@receiver(user_logged_in)
def _remember_language_on_login(
    sender: object, request: HttpRequest | None, user: object, **kwargs: object
) -> None:
    if request is None:
        return
    request._tsunagu_login_time_zone = getattr(user, "time_zone", "")  # type: ignore[attr-defined]
    language = getattr(user, "language", "")
    if language in dict(settings.LANGUAGES):
        request._tsunagu_login_language = language  # type: ignore[attr-defined]
        translation.activate(language)
