"""Networks created before the talk rooms existed get their casual room (雑談) too."""

from django.db import migrations


def create_default_rooms(apps, schema_editor):
    Network = apps.get_model("tenancy", "Network")
    Room = apps.get_model("talk", "Room")
    for network in Network.objects.all():
        if not Room.objects.filter(network=network, is_default=True).exists():
            Room.objects.create(
                network=network,
                kind="open",
                name="雑談",
                description="近況報告や「飲みました」など、なんでも気軽にどうぞ。",
                is_default=True,
            )


class Migration(migrations.Migration):
    dependencies = [("talk", "0001_initial")]

    operations = [migrations.RunPython(create_default_rooms, migrations.RunPython.noop)]
