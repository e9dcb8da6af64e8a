"""Requests the site cannot take: the 400 page, and NUL bytes refused before any view.

PostgreSQL cannot store or compare text that holds a NUL byte: a search, a token lookup or a
form saved with one fails with a server error in whichever view meets it first. No browser sends
one in an address or a form, so the request is refused here, once, instead of in every view.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.views import defaults

NUL = "\x00"
# A path holds no control character at all (a form field may: tabs and line breaks).
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page in the visitor's language, also for a request refused before
    ``LocaleMiddleware`` ran (a disallowed host, a NUL byte): the language then comes from the
    language cookie or the browser."""
    if hasattr(request, "LANGUAGE_CODE"):
        return defaults.bad_request(request, exception)
    with translation.override(translation.get_language_from_request(request)):
        return defaults.bad_request(request, exception)


def _carries_nul(data: MultiValueDict[str, Any]) -> bool:
    return any(
        NUL in key or any(isinstance(value, str) and NUL in value for value in values)
        for key, values in data.lists()
    )


class RefuseNulMiddleware:
    """Answers 400 to a NUL byte in the path, the query string (keys and values) or the posted
    form, and any other control character in the path. A cookie holding a NUL byte is dropped
    (the session is looked up by its cookie): the visitor is then simply not logged in.

    It runs before the session middleware, so that cookie never reaches it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, value in list(request.COOKIES.items()):
            if NUL in name or NUL in value:
                del request.COOKIES[name]
        if (
            CONTROL.search(request.path)
            or _carries_nul(request.GET)
            or (
                request.method == "POST"
                and (_carries_nul(request.POST) or any(NUL in name for name in request.FILES))
            )
        ):
            return bad_request(request, BadRequest("a NUL byte in the request"))
        return self.get_response(request)
