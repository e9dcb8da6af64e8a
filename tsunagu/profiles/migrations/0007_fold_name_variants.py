"""Names are searched in every form they may be typed in (profiles/names.py): recompute the
search columns and the directory's rows once.

This runs the application's own indexing code rather than historical models: the search text is
built by it, and there is no other copy of the rule. On an empty database it does nothing; on a
large one ``manage.py rebuild_directory`` does the same work and may be run again at any time.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def recompute(apps: Any, schema_editor: Any) -> None:
    Profile = apps.get_model("profiles", "Profile")
    if not Profile.objects.exists():
        return
    from tsunagu.profiles.directory import rebuild
    from tsunagu.profiles.indexing import reindex_all

    reindex_all()
    rebuild()


class Migration(migrations.Migration):
    dependencies = [("profiles", "0006_name_search")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
