from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenancy', '0009_membership_left_by_choice'),
    ]

    operations = [
        migrations.AddField(
            model_name='network',
            name='talk_enter_sends',
            field=models.BooleanField(default=False, help_text='Shift+Enter then starts a new line. Otherwise Enter starts a new line and Ctrl+Enter (⌘+Enter on a Mac) sends.', verbose_name='Enter sends a talk message'),
        ),
    ]
