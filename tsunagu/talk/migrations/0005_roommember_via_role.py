from django.db import migrations, models


def mark_role_places(apps, schema_editor):
    """Existing operators' places in conversations with the office and in closed rooms came with
    the role, except the office conversation's own member and people invited to closed rooms,
    which cannot be told apart any more: for closed rooms, only current operators' places are
    marked (a former operator's place is kept; the operators decide who stays)."""
    RoomMember = apps.get_model("talk", "RoomMember")
    Membership = apps.get_model("tenancy", "Membership")
    office = RoomMember.objects.filter(room__kind="office").exclude(
        member_id=models.F("room__created_by_id")
    )
    office.update(via_role=True)
    operators = Membership.objects.filter(role="operator").values("pk")
    RoomMember.objects.filter(room__kind="closed", member__in=operators).update(via_role=True)


def remove_stale_office_places(apps, schema_editor):
    """Former operators still sitting in conversations with the office lose them now."""
    RoomMember = apps.get_model("talk", "RoomMember")
    Membership = apps.get_model("tenancy", "Membership")
    current = Membership.objects.filter(role="operator", status="active").values("pk")
    RoomMember.objects.filter(via_role=True).exclude(member__in=current).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("talk", "0004_room_revision"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="roommember",
            name="via_role",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_role_places, migrations.RunPython.noop),
        migrations.RunPython(remove_stale_office_places, migrations.RunPython.noop),
    ]
