"""Anonymous answers wait in batches; an anonymous response is found again by the hash of a
random edit token instead of a key derived from the member (schema added; see 0005, 0006)."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0003_wording_choices"),
        ("tenancy", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="groups_at_opening",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="survey",
            name="final_batch_written",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RemoveConstraint(model_name="response", name="one_response_per_owner"),
        migrations.RenameField(model_name="response", old_name="owner_key", new_name="edit_key"),
        migrations.AlterField(
            model_name="response",
            name="edit_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="response",
            name="sealed",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="response",
            name="batch",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="response",
            name="role",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.AddField(
            model_name="response",
            name="left_year",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="response",
            name="department",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.AddField(
            model_name="draft",
            name="user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.CreateModel(
            name="Pending",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("edit_key", models.CharField(max_length=64)),
                ("replaces", models.BooleanField(default=False)),
                ("payload", models.JSONField(default=dict)),
                (
                    "network",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.network",
                    ),
                ),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="surveys.survey",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("survey", "edit_key"), name="one_pending_per_edit_key"
                    )
                ],
            },
        ),
    ]
