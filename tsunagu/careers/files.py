"""Uploads of opportunities: attachments (PDF or image) and CVs (a real PDF only)."""

from __future__ import annotations

import io
import logging
import os

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .models import CV_MAX_BYTES

log = logging.getLogger(__name__)


def upload_name(upload: UploadedFile, fallback: str) -> str:
    return os.path.basename(upload.name or fallback)[-200:] or fallback


def check_cv(upload: UploadedFile) -> UploadedFile:
    """A CV must be a PDF that opens: the extension and the declared type prove nothing."""
    if upload.size is not None and upload.size > CV_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(CV_MAX_BYTES)}
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if not head.startswith(b"%PDF-"):
        raise ValidationError(_("Attach your CV as a PDF file."))
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(upload.read()), strict=False)
        pages = len(reader.pages)
    except Exception:  # noqa: BLE001 - whatever a broken file raises, it is not a CV
        log.info("a CV that is not a readable PDF was refused", exc_info=True)
        pages = 0
    finally:
        upload.seek(0)
    if pages < 1:
        raise ValidationError(_("This PDF cannot be opened. Save it again as a PDF and retry."))
    return upload
