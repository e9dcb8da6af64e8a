"""The directory's narrow search rows, their indexes (GIN or FTS5) and a row per active member."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

import tsunagu.profiles.tokens
from tsunagu.profiles.directory import entry_for
from tsunagu.profiles.tokens import fts_sql

TABLE = "profiles_directoryentry"
KEY_COLUMNS = ["keys", "department_keys", "facets"]


def search_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for column in KEY_COLUMNS:
            schema_editor.execute(
                f"CREATE INDEX profiles_directory_{column} ON {TABLE} USING gin ({column})"
            )
    elif schema_editor.connection.vendor == "sqlite":
        for statement in fts_sql(TABLE, KEY_COLUMNS, "profile_id"):
            schema_editor.execute(statement)


def drop_search_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}_fts")


def fill(apps: Any, schema_editor: Any) -> None:
    Profile = apps.get_model("profiles", "Profile")
    DirectoryEntry = apps.get_model("profiles", "DirectoryEntry")
    names = [f.attname for f in DirectoryEntry._meta.concrete_fields]
    rows = []
    for profile in Profile.objects.select_related("membership").prefetch_related("tags"):
        skills = [t.pk for t in profile.tags.all() if t.kind == "skill"]
        entry = entry_for(profile, profile.membership, skills)
        if entry is not None:
            rows.append(DirectoryEntry(**{name: getattr(entry, name) for name in names}))
    DirectoryEntry.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('profiles', '0003_alter_profile_photo'),
        ('tenancy', '0004_network_members_may_create_events'),
    ]

    operations = [
        migrations.CreateModel(
            name='DirectoryEntry',
            fields=[
                ('profile', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='directory_entry', serialize=False, to='profiles.profile')),
                ('search_text', models.TextField(blank=True, default='')),
                ('department', models.CharField(blank=True, default='', max_length=100)),
                ('keys', tsunagu.profiles.tokens.KeysField(default=list)),
                ('department_keys', tsunagu.profiles.tokens.KeysField(default=list)),
                ('facets', tsunagu.profiles.tokens.KeysField(default=list)),
                ('sort_name', models.CharField(blank=True, default='', max_length=100)),
                ('updated_at', models.DateTimeField()),
                ('joined_at', models.DateTimeField()),
                ('network', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.network')),
            ],
            options={
                'indexes': [models.Index(fields=['network', 'sort_name', 'profile'], name='profiles_di_network_01621b_idx'), models.Index(fields=['network', '-updated_at', '-profile'], name='profiles_di_network_992cf3_idx'), models.Index(fields=['network', '-joined_at', '-profile'], name='profiles_di_network_a96f7e_idx')],
            },
        ),
        migrations.RunPython(search_indexes, drop_search_indexes, elidable=False),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
