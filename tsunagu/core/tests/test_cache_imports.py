"""Only the caching modules of core import Django's cache: every key, entry and invalidation is
named in core/caching.py, and no view or app reads the cache behind its back."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]  # the tsunagu package
ALLOWED = {"core/caching.py", "core/redis_cache.py"}


def imported_names(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):  # imports inside functions too
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def imports_the_cache(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return any(
        name == "django.core.cache" or name.startswith("django.core.cache.")
        for name in imported_names(tree)
    )


def test_only_the_core_caching_modules_import_djangos_cache() -> None:
    modules = [
        path
        for path in sorted(SOURCE.rglob("*.py"))
        if "tests" not in path.relative_to(SOURCE).parts
    ]
    assert len(modules) > 100  # the walk found the source
    offenders = [
        path.relative_to(SOURCE).as_posix()
        for path in modules
        if path.relative_to(SOURCE).as_posix() not in ALLOWED and imports_the_cache(path)
    ]
    assert offenders == [], (
        "these modules import django.core.cache; read and write the cache through "
        f"tsunagu/core/caching.py instead: {', '.join(offenders)}"
    )


def test_the_check_sees_every_form_of_the_import(tmp_path: Path) -> None:
    for line in (
        "from django.core.cache import cache",
        "from django.core import cache",
        "import django.core.cache",
        "def late():\n    from django.core.cache import caches",
    ):
        module = tmp_path / "module.py"
        module.write_text(line + "\n")
        assert imports_the_cache(module), line
    module.write_text("from tsunagu.core import caching\nfrom django.core import mail\n")
    assert not imports_the_cache(module)
