"""The person's export (開示): one ZIP of JSON and CSV per kind, and the files they uploaded."""

from __future__ import annotations

import csv
import io
import json
import posixpath
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django_scopes import scopes_disabled

from tsunagu.core.csvsafe import csv_safe
from tsunagu.tenancy.models import Membership

from .registry import export_rules


def _cell(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    return csv_safe("" if value is None else value)


def build_archive(user_id: int) -> bytes:
    """Every exported kind as ``<kind>.json`` and ``<kind>.csv`` (UTF-8 with a BOM, for Excel),
    the person's uploads under ``files/<kind>/``. Only rows the registry ties to the person:
    a talk room's other messages or a thread's other comments are never in it."""
    buffer = io.BytesIO()
    with scopes_disabled(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        membership_ids = list(
            Membership.objects.filter(user_id=user_id).values_list("pk", flat=True)
        )
        grouped: dict[str, list[dict[str, Any]]] = {}
        for rule in export_rules():
            fields = rule.export_fields()
            qs = rule.rows_of(user_id, membership_ids).order_by("pk")
            rows = list(qs.values("pk", *fields))
            for row in rows:
                row = {"model": rule.model, **row}
                grouped.setdefault(rule.kind, []).append(row)
            for name in rule.files:
                storage = rule.model_class._meta.get_field(name).storage  # type: ignore[union-attr]
                for pk, stored in qs.exclude(**{name: ""}).values_list("pk", name):
                    if not stored:
                        continue
                    try:
                        with storage.open(stored, "rb") as handle:
                            content = handle.read()
                    except OSError:
                        continue  # gone from storage
                    archive.writestr(
                        f"files/{rule.kind}/{pk}-{posixpath.basename(stored)}", content
                    )
        for kind, rows in sorted(grouped.items()):
            archive.writestr(
                f"{kind}.json",
                json.dumps(rows, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
            )
            columns = list(dict.fromkeys(key for row in rows for key in row))
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_cell(row.get(column)) for column in columns])
            archive.writestr(f"{kind}.csv", "\ufeff" + text.getvalue())
    return buffer.getvalue()
