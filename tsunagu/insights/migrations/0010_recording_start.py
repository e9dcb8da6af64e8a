import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.migrations.recorder import MigrationRecorder
from zoneinfo import ZoneInfo


def mark_older_networks(apps, schema_editor):
    """Networks made before the recording was installed (the app's first migration) record
    their activity from that day; their earlier days are only what the backfill derives."""
    installed = (
        MigrationRecorder(schema_editor.connection)
        .migration_qs.filter(app="insights", name="0001_initial")
        .values_list("applied", flat=True)
        .first()
    )
    if installed is None:
        return
    day = installed.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    Network = apps.get_model("tenancy", "Network")
    RecordingStart = apps.get_model("insights", "RecordingStart")
    RecordingStart.objects.bulk_create(
        RecordingStart(network_id=pk, day=day)
        for pk in Network.objects.filter(created_at__lt=installed).values_list("pk", flat=True)
    )


class Migration(migrations.Migration):

    dependencies = [
        ('insights', '0009_day_totals'),
        ('tenancy', '0009_membership_left_by_choice'),
    ]

    operations = [
        migrations.CreateModel(
            name='RecordingStart',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('network', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.network')),
            ],
        ),
        migrations.RunPython(mark_older_networks, migrations.RunPython.noop),
    ]
