"""The layers of the code, checked by reading it (``ast``), as CI would: a newcomer who breaks one
is told which module, which line and why.

- Every app under ``tsunagu/`` has its place below: a new app must be given one.
- ``core`` and ``tenancy``, ``realtime`` and ``notify`` import no feature app: features plug
  into them through registries filled in ``ready()`` (``core/navigation.py``,
  ``tenancy/gates.py``, ``notify/transports.py``, ``notify/sections.py``). core's own code
  (not its test fixtures) imports no other app at all.
- No module is over 800 lines.
- Hand-written SQL (``connection.cursor()``, ``.raw()``, ``RawQuerySet``) only in an app's
  ``queries.py``, ``core/sql.py`` and migrations.
- No ``mark_safe()`` of an f-string: markup comes from templates.
- Django's cache is imported only by ``core/caching.py`` and the production backend (tests and
  the benchmarks, which empty it on purpose, aside).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "tsunagu"

# Below the features: what every feature may build on.
FOUNDATION = {"core", "accounts", "tenancy", "realtime", "notify", "audit", "privacy"}
# One domain each (STYLE.md); they may use the foundation and each other.
FEATURES = {
    "profiles",
    "events",
    "boards",
    "onboarding",
    "news",
    "careers",
    "feed",
    "talk",
    "insights",
    "surveys",
    "digest",
    "announce",
    "push",
    "consent",
    "collab",
}
# Above everything: the demo seeder and the cross-app test fixtures may import any app.
TOP = {"demo", "testing"}
# Folders of the package that are not apps.
NOT_APPS = {"locale", "templates"}

# The apps that must import no feature app, tests included.
IMPORT_NO_FEATURE = ("core", "tenancy", "realtime", "notify")

# core's own code that still imports another app, and which: the fragment cache (the language
# and time zone of a block), which core/caching.py replaces.
CORE_REACHES_OUT: dict[str, set[str]] = {}

MAX_LINES = 800

# mark_safe() of an f-string, per module and how many times: none is left; markup comes from
# templates. A module listed here would have to say why.
MARK_SAFE_FSTRING: dict[str, int] = {}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module's path, from the repository's root
    line: int
    target: str  # the dotted name imported

    @property
    def app(self) -> str:
        """The app of tsunagu the import reaches, or "" for anything else."""
        parts = self.target.split(".")
        return parts[1] if len(parts) > 1 and parts[0] == "tsunagu" else ""

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def python_files(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
            continue
        for path in sorted(root.rglob("*.py")):
            if ".venv" not in path.parts:
                yield path


def dotted(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imports_of(path: Path) -> list[Import]:
    """Every import of the module, wherever it is (inside functions and TYPE_CHECKING too), with
    relative ones made absolute, and import_module("tsunagu.…") calls."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = dotted(path)
    package = name if path.name == "__init__.py" else name[:-1]
    where = str(path.relative_to(ROOT))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(where, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package[: len(package) - (node.level - 1)]
                base = ".".join([*up, *([base] if base else [])])
            # `from tsunagu import talk` imports the app itself.
            targets = [f"{base}.{alias.name}" for alias in node.names] if base == "tsunagu" else []
            found += [Import(where, node.lineno, t) for t in targets or [base]]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(Import(where, node.lineno, node.args[0].value))
    return found


def apps_on_disk() -> set[str]:
    return {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}


def test_every_app_has_its_place_in_the_layers() -> None:
    placed = FOUNDATION | FEATURES | TOP
    assert not (FOUNDATION & FEATURES or FOUNDATION & TOP or FEATURES & TOP)
    unplaced = apps_on_disk() - placed
    assert not unplaced, (
        f"give each new app its place in tsunagu/testing/tests/test_layers.py: {sorted(unplaced)}"
    )
    gone = placed - apps_on_disk()
    assert not gone, f"these apps are gone; remove them from the lists: {sorted(gone)}"


@pytest.mark.parametrize("app", IMPORT_NO_FEATURE)
def test_the_foundation_imports_no_feature(app: str) -> None:
    upward = [
        str(found)
        for path in python_files(PACKAGE / app)
        for found in imports_of(path)
        if found.app in FEATURES
    ]
    assert not upward, (
        f"{app} must not import a feature app: let the feature register itself in its ready() "
        "(see this module's docstring), or move the code up (tsunagu/demo, tsunagu/testing):\n"
        + "\n".join(upward)
    )


def test_core_code_imports_no_other_app() -> None:
    """Its test fixtures (core/testing) and tests may use accounts and tenancy; its code not."""
    found: dict[str, set[str]] = {}
    lines: list[str] = []
    for path in python_files(PACKAGE / "core"):
        if {"testing", "tests"} & set(path.relative_to(PACKAGE / "core").parts):
            continue
        for imported in imports_of(path):
            if imported.app and imported.app != "core":
                found.setdefault(imported.module, set()).add(imported.app)
                if imported.app not in CORE_REACHES_OUT.get(imported.module, set()):
                    lines.append(str(imported))
    assert not lines, "core knows no other app:\n" + "\n".join(lines)
    stale = {m: a for m, a in CORE_REACHES_OUT.items() if not a <= found.get(m, set())}
    assert not stale, f"no longer imported: shrink CORE_REACHES_OUT to what is left: {stale}"


def test_no_module_is_over_800_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {count} lines"
        for path in python_files(PACKAGE, ROOT / "config", ROOT / "bench", ROOT / "conftest.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long, (
        f"split these by sub-feature (a views/ package, a models/ package), at most {MAX_LINES} "
        "lines each:\n" + "\n".join(long)
    )


def mark_safe_of_fstrings(path: Path) -> list[int]:
    """The lines where mark_safe() is given an f-string, or an expression built with one."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", "")) == "mark_safe"
        and node.args
        and any(isinstance(part, ast.JoinedStr) for part in ast.walk(node.args[0]))
    ]


def test_markup_is_not_built_in_fstrings_marked_safe() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in python_files(PACKAGE, ROOT / "config")
        if (lines := mark_safe_of_fstrings(path))
    }
    new = [
        f"{module}: lines {lines}"
        for module, lines in sorted(found.items())
        if len(lines) > MARK_SAFE_FSTRING.get(module, 0)
    ]
    assert not new, (
        "markup comes from templates, not from f-strings given to mark_safe() "
        "(an inclusion tag, render_to_string, format_html for a few words):\n" + "\n".join(new)
    )
    fewer = [
        f"{module}: {len(found.get(module, []))} now, {allowed} allowed"
        for module, allowed in sorted(MARK_SAFE_FSTRING.items())
        if len(found.get(module, [])) < allowed
    ]
    assert not fewer, "good: lower MARK_SAFE_FSTRING to what is left:\n" + "\n".join(fewer)


# Where a statement may be written by hand, besides every module named queries.py (an app's, and
# core/backup's, whose statements read the catalogue for the backup's manifest) and migrations.
SQL_ALSO_IN = {"tsunagu/core/sql.py"}


def hand_written_sql(path: Path) -> list[str]:
    """Where the module opens a cursor of Django's connection (``connection.cursor()``,
    ``connections[alias].cursor()``), runs ``.raw()`` or names ``RawQuerySet``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Subscript):
                owner = owner.value
            owner_name = getattr(owner, "id", getattr(owner, "attr", ""))
            if node.func.attr == "cursor" and owner_name in {"connection", "connections"}:
                found.append(f"{node.lineno}: {owner_name}.cursor()")
            elif node.func.attr == "raw":
                found.append(f"{node.lineno}: .raw()")
        elif isinstance(node, ast.ImportFrom):
            if any(alias.name == "RawQuerySet" for alias in node.names):
                found.append(f"{node.lineno}: imports RawQuerySet")
        elif getattr(node, "id", getattr(node, "attr", None)) == "RawQuerySet":
            found.append(f"{node.lineno}: RawQuerySet")
    return found


def test_hand_written_sql_lives_in_queries_modules() -> None:
    found = [
        f"{where}:{line}"
        for path in python_files(PACKAGE, ROOT / "config")
        if path.name != "queries.py"
        and not {"migrations", "tests"} & set(path.relative_to(ROOT).parts)
        and (where := str(path.relative_to(ROOT))) not in SQL_ALSO_IN
        for line in hand_written_sql(path)
    ]
    assert not found, (
        "a statement written by hand goes in the app's queries.py, with the rule it restates "
        "named beside it (its ORM twin in access.py); callers import it from there:\n"
        + "\n".join(found)
    )


# Where Django's cache may be imported: core's caching module and the production backend. Every
# other module reads and writes the cache through core/caching.py (keys, forget, bump, rows).
CACHE_IMPORTED_IN = {"tsunagu/core/caching.py", "tsunagu/core/redis_cache.py"}


def test_the_cache_is_reached_only_through_core_caching() -> None:
    found = [
        f"{i.module}:{i.line} imports {i.target}"
        for path in python_files(PACKAGE, ROOT / "config")
        if "/tests/" not in str(path) and str(path.relative_to(ROOT)) not in CACHE_IMPORTED_IN
        for i in imports_of(path)
        if i.target == "django.core.cache" or i.target.startswith("django.core.cache.")
    ]
    assert not found, (
        "read and write the cache through tsunagu/core/caching.py (key(), read_many(), "
        "forget(), bump(), cached_rows(), Namespace) so that keys, versions and forgetting "
        "after commit stay in one place:\n" + "\n".join(found)
    )
