"""Files posted in rooms: checked for what they really are, images re-encoded and given a
thumbnail (core/images.py)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from tsunagu.core.images import (
    ALLOWED_IMAGE_FORMATS,
    CONTENT_TYPES,
    image_format,
    reencode,
    stored_image,
)

# Slides and documents are zip files inside: their name says which kind.
OFFICE_TYPES = {
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
THUMBNAIL_SIDE = 480


def inspect_upload(upload: UploadedFile) -> tuple[UploadedFile, str, bool]:
    """The file to store (an image re-encoded), its content type and whether it is an image;
    raises ValidationError for a file that may not be posted."""
    limit = settings.TALK_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    if not upload.size:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return upload, "application/pdf", False
    extension = os.path.splitext(upload.name or "")[1].lower()
    if head.startswith(b"PK\x03\x04") and extension in OFFICE_TYPES:
        return upload, OFFICE_TYPES[extension], False
    if head[4:8] == b"ftyp" and extension in (".mp4", ".m4a", ".mov"):
        return upload, ("audio/mp4" if extension == ".m4a" else "video/mp4"), False
    found = image_format(upload)  # too many pixels: refused here, before decoding
    if found in ALLOWED_IMAGE_FORMATS:
        return stored_image(upload), CONTENT_TYPES[found], True
    raise ValidationError(
        _(
            "Attach an image (PNG, JPEG, GIF, WebP), a PDF, slides or documents "
            "(PPTX, DOCX, XLSX) or a recording (MP4, M4A)."
        )
    )


def make_thumbnail(image: File) -> ContentFile | None:
    """A small JPEG of an image inspect_upload() returned, or None when it cannot be shrunk."""
    try:
        return ContentFile(reencode(image, side=THUMBNAIL_SIDE, fmt="JPEG"), name="thumbnail.jpg")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
