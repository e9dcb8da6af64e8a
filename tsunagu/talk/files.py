"""Files posted in rooms: checked for what they really are, images given a thumbnail."""

from __future__ import annotations

import io
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from tsunagu.core.validators import ALLOWED_IMAGE_FORMATS

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
# Slides and documents are zip files inside: their name says which kind.
OFFICE_TYPES = {
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
THUMBNAIL_SIZE = (480, 480)


def inspect_upload(upload: File) -> tuple[str, bool]:
    """The content type of an allowed upload and whether it is an image; raises otherwise."""
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
        return "application/pdf", False
    extension = os.path.splitext(upload.name or "")[1].lower()
    if head.startswith(b"PK\x03\x04") and extension in OFFICE_TYPES:
        return OFFICE_TYPES[extension], False
    if head[4:8] == b"ftyp" and extension in (".mp4", ".m4a", ".mov"):
        return ("audio/mp4" if extension == ".m4a" else "video/mp4"), False
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
    raise ValidationError(
        _(
            "Attach an image (PNG, JPEG, GIF, WebP), a PDF, slides or documents "
            "(PPTX, DOCX, XLSX) or a recording (MP4, M4A)."
        )
    )


def make_thumbnail(upload: File) -> ContentFile | None:
    """A small JPEG of an image, or None when the image cannot be shrunk."""
    upload.seek(0)
    try:
        with Image.open(upload) as opened:
            image: Image.Image = ImageOps.exif_transpose(opened) or opened
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=80)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name="thumbnail.jpg")
