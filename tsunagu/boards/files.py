"""Files attached to posts: stored privately, checked for what they really are, images
re-encoded (core/images.py)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tsunagu.core.images import ALLOWED_IMAGE_FORMATS, CONTENT_TYPES, image_format, stored_image
from tsunagu.core.storage import PrivateStorage, private_storage

__all__ = ["PrivateStorage", "private_storage"]

PDF = "application/pdf"


def attachment_path(instance: Any, filename: str) -> str:
    # The stored name never comes from the uploader: no path tricks, no guessing.
    return f"boards/{instance.network_id}/{uuid.uuid4().hex}"


def inspect_upload(upload: UploadedFile) -> tuple[UploadedFile, str, bool]:
    """The file to store (an image re-encoded), its content type and whether it is an image;
    raises ValidationError for a file that may not be attached."""
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
        return upload, PDF, False
    found = image_format(upload)  # too many pixels: refused here, before decoding
    if found in ALLOWED_IMAGE_FORMATS:
        return stored_image(upload), CONTENT_TYPES[found], True
    raise ValidationError(_("Attach a PNG, JPEG, GIF or WebP image, or a PDF file."))
