from __future__ import annotations

# Kept here: migrations refer to tsunagu.core.validators.validate_image_file.
from .images import ALLOWED_IMAGE_FORMATS, validate_image_file

__all__ = ["ALLOWED_IMAGE_FORMATS", "validate_image_file"]
