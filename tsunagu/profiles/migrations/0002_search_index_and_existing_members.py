"""A trigram index for the directory search on PostgreSQL, and a profile for every member."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def trigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite scans the normalised column; see docs/architecture.md
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS profiles_search_trgm "
        "ON profiles_profile USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS profiles_search_trgm")


def profiles_for_existing_members(apps: Any, schema_editor: Any) -> None:
    Membership = apps.get_model("tenancy", "Membership")
    Profile = apps.get_model("profiles", "Profile")
    existing = set(Profile.objects.values_list("membership_id", flat=True))
    Profile.objects.bulk_create(
        Profile(
            membership_id=m.pk,
            network_id=m.network_id,
            search_text=" ".join(m.user.name.casefold().split()),
            sort_name=" ".join(m.user.name.casefold().split())[:100],
        )
        for m in Membership.objects.select_related("user").exclude(pk__in=existing)
    )


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial"), ("tenancy", "0001_initial")]

    operations = [
        migrations.RunPython(trigram_index, drop_trigram_index, elidable=False),
        migrations.RunPython(profiles_for_existing_members, migrations.RunPython.noop),
    ]
