"""The message catalogues: Japanese is complete and correct, the compiled .mo files match the .po
files, and the .po files hold exactly the strings the code marks for translation.

When the last test fails, run `make messages`, translate the new Japanese entries and commit the
.po and .mo files together."""

from __future__ import annotations

import gettext
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import polib
import pytest
from django.core.management import call_command

from conftest import require

PACKAGE = Path(__file__).resolve().parents[2]  # tsunagu/
LOCALE = PACKAGE / "locale"
JA = LOCALE / "ja" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")  # as `make messages` runs makemessages

# printf-style conversions as Python's % operator reads them; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]"
)
NAMED_PLACEHOLDER = re.compile(r"%\([^)]*\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
HTML_TAG = re.compile(r"</?([a-zA-Z][\w-]*)")


def placeholders(text: str) -> Counter[str]:
    return Counter(m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%")


def named_placeholders(text: str) -> set[str]:
    return set(NAMED_PLACEHOLDER.findall(text))


def html_tags(text: str) -> Counter[str]:
    return Counter(HTML_TAG.findall(text))


def live_entries(path: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(path)) if not entry.obsolete]


def key(entry: polib.POEntry) -> tuple[str | None, str, str]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or "")


def label(entry: polib.POEntry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{context}{entry.msgid!r}"


def nplurals(po: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    assert match, "the header has no Plural-Forms"
    return int(match.group(1))


JA_CATALOGUES = sorted(JA.glob("*.po"))
ALL_CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def test_the_japanese_catalogue_exists() -> None:
    assert JA / "django.po" in JA_CATALOGUES


@pytest.mark.parametrize("path", JA_CATALOGUES, ids=lambda p: p.name)
def test_japanese_header(path: Path) -> None:
    po = polib.pofile(str(path))
    assert not po.metadata_is_fuzzy, "remove the `#, fuzzy` flag from the header"
    assert po.metadata["Language"] == "ja"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"


@pytest.mark.parametrize("path", JA_CATALOGUES, ids=lambda p: p.name)
def test_every_japanese_entry_is_translated(path: Path) -> None:
    po = polib.pofile(str(path))
    forms = nplurals(po)
    problems: list[str] = []
    for entry in live_entries(path):
        if "fuzzy" in entry.flags:
            problems.append(f"{label(entry)} is fuzzy")
        if entry.msgid_plural:
            if sorted(entry.msgstr_plural) != list(range(forms)):
                problems.append(f"{label(entry)} needs exactly msgstr[0..{forms - 1}]")
            if not all(entry.msgstr_plural.values()):
                problems.append(f"{label(entry)} has an empty plural form")
        elif not entry.msgstr:
            problems.append(f"{label(entry)} is not translated")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", JA_CATALOGUES, ids=lambda p: p.name)
def test_japanese_keeps_placeholders_and_markup(path: Path) -> None:
    problems: list[str] = []
    for entry in live_entries(path):
        python_format = "python-format" in entry.flags
        if entry.msgid_plural:
            # The last form is the general one and must say everything the English plural says.
            forms = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
            pairs = [(entry.msgid_plural, forms[-1])] if forms else []
            sources = entry.msgid + entry.msgid_plural
            for form in forms:
                unknown = named_placeholders(form) - named_placeholders(sources)
                if unknown:
                    problems.append(f"{label(entry)}: unknown placeholders {sorted(unknown)}")
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translation in pairs:
            if not translation:
                continue  # reported by test_every_japanese_entry_is_translated
            if python_format:
                expected, got = placeholders(source), placeholders(translation)
                named_ok = set(expected) == set(got) and all(
                    expected[p] == got[p] for p in expected if not p.startswith("%(")
                )
                if not named_ok:
                    problems.append(
                        f"{label(entry)}: placeholders {sorted(expected.elements())} "
                        f"became {sorted(got.elements())}"
                    )
            elif named_placeholders(source) != named_placeholders(translation):
                problems.append(f"{label(entry)}: placeholders differ in {translation!r}")
            if html_tags(source) != html_tags(translation):
                problems.append(f"{label(entry)}: HTML tags differ in {translation!r}")
    assert not problems, "\n".join(problems)


def expected_translation(entry: polib.POEntry, n: int | None, plural_form: int) -> str:
    """What gettext must answer for this entry, with msgfmt's rules for fuzzy and empty entries."""
    translated = "fuzzy" not in entry.flags
    if n is None:
        return entry.msgstr if translated and entry.msgstr else entry.msgid
    forms = entry.msgstr_plural
    if translated and forms and all(forms.values()):
        return forms[plural_form]
    return entry.msgid if n == 1 else entry.msgid_plural


@pytest.mark.parametrize(
    "path", ALL_CATALOGUES, ids=lambda p: f"{p.parent.parent.name}-{p.with_suffix('').name}"
)
def test_compiled_catalogue_is_current(path: Path) -> None:
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages` (compilemessages)"
    with mo_path.open("rb") as fp:
        mo = gettext.GNUTranslations(fp)
    po = polib.pofile(str(path))
    if not po.metadata_is_fuzzy:
        assert mo.info().get("plural-forms") == po.metadata.get("Plural-Forms")
    stale: list[str] = []
    for entry in live_entries(path):
        if entry.msgid_plural:
            for n in (0, 1, 2, 3, 5, 11, 21, 101):
                want = expected_translation(entry, n, mo.plural(n))
                if entry.msgctxt:
                    got = mo.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                else:
                    got = mo.ngettext(entry.msgid, entry.msgid_plural, n)
                if got != want:
                    stale.append(f"{label(entry)} (n={n}): .mo has {got!r}, .po has {want!r}")
                    break
        else:
            want = expected_translation(entry, None, 0)
            if entry.msgctxt:
                got = mo.pgettext(entry.msgctxt, entry.msgid)
            else:
                got = mo.gettext(entry.msgid)
            if got != want:
                stale.append(f"{label(entry)}: .mo has {got!r}, .po has {want!r}")
    assert not stale, (
        f"{mo_path.relative_to(PACKAGE.parent)} does not match its .po; run "
        "`.venv/bin/python manage.py compilemessages --ignore=.venv`:\n" + "\n".join(stale)
    )


@pytest.fixture
def regenerated_locale(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Runs makemessages as `make messages` does, on a copy of tsunagu/ without its catalogues."""
    for tool in ("xgettext", "msguniq", "msgmerge", "msgattrib"):
        require(f"gettext ({tool})", shutil.which(tool) is not None)
    copy = tmp_path / "tsunagu"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale", ".*")
    )
    locale = copy / "locale"
    settings.LOCALE_PATHS = [locale]
    monkeypatch.chdir(copy)
    for domain in DOMAINS:
        call_command(
            "makemessages",
            locale=["ja", "en"],
            domain=domain,
            no_obsolete=True,
            add_location="file",
            verbosity=0,
        )
    return locale


def test_catalogues_hold_exactly_the_strings_of_the_code(regenerated_locale: Path) -> None:
    problems: list[str] = []
    for language in ("ja", "en"):
        for domain in DOMAINS:
            relative = Path(language) / "LC_MESSAGES" / f"{domain}.po"
            fresh_path, committed_path = regenerated_locale / relative, LOCALE / relative
            fresh = {key(e): e for e in live_entries(fresh_path)} if fresh_path.exists() else {}
            committed = (
                {key(e): e for e in live_entries(committed_path)} if committed_path.exists() else {}
            )
            missing = sorted(set(fresh) - set(committed), key=str)
            unused = sorted(set(committed) - set(fresh), key=str)
            if missing:
                problems.append(
                    f"locale/{relative} lacks {len(missing)} string(s) the code uses:\n"
                    + "\n".join(f"  {label(fresh[k])}" for k in missing)
                )
            if unused:
                problems.append(
                    f"locale/{relative} has {len(unused)} string(s) the code no longer uses:\n"
                    + "\n".join(f"  {label(committed[k])}" for k in unused)
                )
    assert not problems, (
        "The message catalogues are out of date: run `make messages`, translate the new "
        "Japanese entries and commit the .po and .mo files.\n" + "\n".join(problems)
    )
