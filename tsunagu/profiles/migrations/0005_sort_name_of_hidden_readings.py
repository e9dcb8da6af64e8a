"""Profiles whose kana reading is not shared with members are sorted by their name instead."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from tsunagu.profiles.normalize import normalize

HIDDEN = ("me", "operators")


def sort_by_name(apps: Any, schema_editor: Any) -> None:
    Profile = apps.get_model("profiles", "Profile")
    DirectoryEntry = apps.get_model("profiles", "DirectoryEntry")
    profiles = Profile.objects.exclude(name_kana="").select_related("membership__user")
    for profile in profiles.iterator():
        if (profile.visibility or {}).get("name_kana") not in HIDDEN:
            continue
        name = normalize(profile.display_name or profile.membership.user.name)[:100]
        Profile.objects.filter(pk=profile.pk).update(sort_name=name)
        DirectoryEntry.objects.filter(profile_id=profile.pk).update(sort_name=name)


class Migration(migrations.Migration):
    dependencies = [("profiles", "0004_directory_entries")]

    operations = [migrations.RunPython(sort_by_name, migrations.RunPython.noop)]
