from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("talk", "0003_pinned_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="room",
            name="revision",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
