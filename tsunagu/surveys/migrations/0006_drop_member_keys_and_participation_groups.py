import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0005_move_keys_and_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="response",
            constraint=models.UniqueConstraint(
                condition=models.Q(user__isnull=False),
                fields=("survey", "user"),
                name="one_named_response_per_member",
            ),
        ),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.UniqueConstraint(
                condition=models.Q(("edit_key", ""), _negated=True),
                fields=("survey", "edit_key"),
                name="one_response_per_edit_key",
            ),
        ),
        migrations.RemoveConstraint(model_name="draft", name="one_draft_per_owner"),
        migrations.RemoveField(model_name="draft", name="owner_key"),
        migrations.AlterField(
            model_name="draft",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="draft",
            constraint=models.UniqueConstraint(
                fields=("survey", "user"), name="one_draft_per_member"
            ),
        ),
        migrations.RemoveField(model_name="participation", name="role"),
        migrations.RemoveField(model_name="participation", name="left_year"),
        migrations.RemoveField(model_name="participation", name="department"),
    ]
