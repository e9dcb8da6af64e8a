"""Tsunagu's named date and number formats per language (FORMAT_MODULE_PATH): templates write
``|date:"DATETIME_FORMAT"``, never a format of their own. docs/style-ja.md says which name is
for what."""
