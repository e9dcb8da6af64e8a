"""Files attached to posts: stored privately, checked for what they really are."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tsunagu.core.storage import PrivateStorage, private_storage
from tsunagu.core.validators import ALLOWED_IMAGE_FORMATS

__all__ = ["PrivateStorage", "private_storage"]

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
PDF = "application/pdf"


def attachment_path(instance: Any, filename: str) -> str:
    # The stored name never comes from the uploader: no path tricks, no guessing.
    return f"boards/{instance.network_id}/{uuid.uuid4().hex}"


def inspect_upload(upload: File) -> tuple[str, bool]:
    """The content type of an allowed upload and whether it is an image; raises otherwise."""
    from PIL import Image, UnidentifiedImageError

    limit = settings.BOARD_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return PDF, False
    try:
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        image_format = None
    finally:
        upload.seek(0)
    if image_format in ALLOWED_IMAGE_FORMATS and image_format in IMAGE_TYPES:
        return IMAGE_TYPES[image_format], True
    raise ValidationError(_("Attach a PNG, JPEG, GIF or WebP image, or a PDF file."))
