"""Backups of a whole instance: its database and every folder of files, in one archive.

An archive (``tsunagu-<date>-<time>.tar.gz``) holds:

``database.dump``
    PostgreSQL: ``pg_dump --format=custom``, taken in the same snapshot as the row counts.
``database.sqlite3``
    SQLite: a copy made through SQLite's online backup API, which includes what a live WAL
    database still holds in its ``-wal`` file (a copy of the database file would miss it).
``media/…``, ``private/…``
    ``MEDIA_ROOT`` and ``PRIVATE_MEDIA_ROOT`` (attachments, photos, covers); a missing folder is
    an empty one.
``secret_key``
    ``DATA_DIR/secret_key``, when the embedded setup generated one (``SECRET_KEY`` unset).
``manifest.json``
    written last: the database's vendor, the row count of every table and the sha256 of every
    other member. ``restore`` checks each of them.
"""
