"""Files that are never published by the web server: served only by views that check access."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404

from .widgets import FileInput


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, read from the settings on each use (tests change it)."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("private files are served by views that check access")


private_storage = PrivateStorage()


IMAGE_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}


def private_name(folder: str, filename: str) -> str:
    """A stored name nobody can guess, keeping only a known image extension of the upload."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return f"{folder}/{uuid.uuid4().hex}.{extension if extension in IMAGE_TYPES else 'img'}"


View = TypeVar("View", bound=Callable[..., Any])


def serves_upload(view: View) -> View:
    """Marks a view that answers with a file members uploaded here.

    Markdown shows an image only from such an address (``core/markdown.py``); any other image
    becomes a link, so no other site learns who reads the page.
    """
    view.serves_upload = True  # type: ignore[attr-defined]
    return view


def file_response(
    field_file: Any,
    *,
    content_type: str,
    filename: str = "",
    download: bool = False,
    cache_control: str = "private, max-age=3600",
) -> FileResponse:
    """A private file, for a view that has already checked who may see it: sandboxed, never
    cached by a shared cache, and a 404 when the file is gone from the storage."""
    try:
        handle = field_file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        handle, content_type=content_type, as_attachment=download, filename=filename
    )
    response["Cache-Control"] = cache_control
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def image_response(field_file: Any) -> FileResponse:
    """A private image, for a view that has already checked who may see it."""
    extension = field_file.name.rsplit(".", 1)[-1].lower()
    return file_response(field_file, content_type=IMAGE_TYPES.get(extension, "image/png"))


class PrivateImageInput(FileInput):
    """A file input that shows the current private image through the view that serves it.

    Set ``current_url`` in the form (the stored file has no public address to show).
    """

    template_name = "core/widgets/private_image_input.html"
    current_url = ""

    def is_initial(self, value: Any) -> bool:
        return bool(value and getattr(value, "name", ""))  # its ``url`` would raise

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["current_url"] = self.current_url
        return context
