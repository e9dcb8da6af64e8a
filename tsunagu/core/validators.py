from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP"})


def validate_image_file(value: File) -> None:
    """Accepts only real, reasonably small raster images, whatever the file name claims."""
    limit = settings.LOGO_MAX_BYTES
    if value.size is not None and value.size > limit:
        raise ValidationError(
            _("The image is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(value.size), "limit": filesizeformat(limit)}
        )
    try:
        position = value.tell() if hasattr(value, "tell") else 0
        value.seek(0)
        with Image.open(value) as image:
            image_format = image.format
            image.verify()
        value.seek(position)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not an image we can read (PNG, JPEG, GIF or WebP).")
        ) from None
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(_("Use a PNG, JPEG, GIF or WebP image."))
