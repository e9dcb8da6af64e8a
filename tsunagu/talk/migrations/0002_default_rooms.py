"""Networks created before the talk rooms existed get their casual room (雑談) too, with their
active members in it."""

from django.db import migrations


def create_default_rooms(apps, schema_editor):
    Network = apps.get_model("tenancy", "Network")
    Room = apps.get_model("talk", "Room")
    RoomMember = apps.get_model("talk", "RoomMember")
    Membership = apps.get_model("tenancy", "Membership")
    for network in Network.objects.all():
        room = Room.objects.filter(network=network, is_default=True).first()
        if room is None:
            room = Room.objects.create(
                network=network,
                kind="open",
                name="雑談",
                description="近況報告や「飲みました」など、なんでも気軽にどうぞ。",
                is_default=True,
            )
        RoomMember.objects.bulk_create(
            [
                RoomMember(network=network, room=room, member=membership)
                for membership in Membership.objects.filter(network=network, status="active")
            ],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [("talk", "0001_initial")]

    operations = [migrations.RunPython(create_default_rooms, migrations.RunPython.noop)]
