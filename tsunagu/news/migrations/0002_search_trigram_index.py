"""A trigram index for the search box on PostgreSQL (words of three characters or more)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def trigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite scans the normalised column; see docs/architecture.md
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS news_article_search_trgm ON news_article USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS news_article_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("news", "0001_initial")]

    operations = [migrations.RunPython(trigram_index, drop_trigram_index, elidable=False)]
