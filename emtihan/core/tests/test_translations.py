"""The Kazakh and Russian catalogs are complete, well-formed, compiled and cover the code.

English is the source language: every string in code and templates is English, and the
``kk``/``ru`` catalogs under ``emtihan/locale`` must translate all of them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import django
import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "emtihan"
LOCALE = PACKAGE / "locale"
TRANSLATED = ["kk", "ru"]
# The options `make messages` should use; tests are not part of the interface.
MAKEMESSAGES_ARGS = ["--no-obsolete", "--add-location", "file", "-i", "tests/*", "-i", "*/tests/*"]

# printf-style placeholders: %(name)s, %(n)d, %s, %.1f ... but not a literal %%.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]"
)


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def placeholders(text: str) -> tuple[frozenset[str], int]:
    """Named placeholders (with their conversion) and the number of positional ones."""
    text = text.replace("%%", "")
    named, positional = set(), 0
    for match in PLACEHOLDER.finditer(text):
        if match.group("name") is None:
            positional += 1
        else:
            named.add(match.group(0))
    return frozenset(named), positional


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def key(entry: polib.POEntry | polib.MOEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def describe(entries: list[polib.POEntry]) -> str:
    return "\n".join(f"  {e.msgid!r} ({', '.join(o[0] for o in e.occurrences)})" for e in entries)


@pytest.fixture(params=TRANSLATED)
def lang(request) -> str:
    return request.param


@pytest.fixture
def po(lang) -> polib.POFile:
    path = po_path(lang)
    assert path.exists(), f"{path} is missing: run `make messages`"
    return polib.pofile(str(path))


def test_catalog_declares_its_language(po, lang):
    assert po.metadata.get("Language") == lang
    assert not po.metadata_is_fuzzy, "the header is still marked fuzzy"


def test_plural_forms_match_djangos_own_catalog(po, lang):
    # Django merges its own catalog with ours; a different Plural-Forms makes it keep
    # them apart and pick plural forms by the wrong rule in one of them.
    django_po = polib.pofile(
        str(Path(django.__file__).parent / "conf" / "locale" / lang / "LC_MESSAGES" / "django.po")
    )

    def normalise(value: str) -> str:
        return re.sub(r"\s+", "", value).rstrip(";")

    assert normalise(po.metadata["Plural-Forms"]) == normalise(django_po.metadata["Plural-Forms"])


def test_no_untranslated_entries(po):
    missing = [e for e in live_entries(po) if not e.translated() and "fuzzy" not in e.flags]
    assert not missing, f"{len(missing)} untranslated entries:\n{describe(missing)}"


def test_no_fuzzy_entries(po):
    fuzzy = [e for e in live_entries(po) if "fuzzy" in e.flags]
    assert not fuzzy, (
        f"{len(fuzzy)} fuzzy entries (check them, then drop the flag):\n{describe(fuzzy)}"
    )


def test_placeholders_are_kept(po):
    wrong = []
    for entry in live_entries(po):
        if entry.msgid_plural:
            expected = placeholders(entry.msgid_plural)
            singular = placeholders(entry.msgid)
            for index, text in sorted(entry.msgstr_plural.items()):
                if text and placeholders(text) not in (expected, singular):
                    wrong.append(f"  {entry.msgid!r} -> msgstr[{index}] {text!r}")
        elif entry.msgstr and placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append(f"  {entry.msgid!r} -> {entry.msgstr!r}")
    assert not wrong, "placeholders differ from the English source:\n" + "\n".join(wrong)


def test_leading_and_trailing_newlines_are_kept(po):
    wrong = []
    for entry in live_entries(po):
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in filter(None, texts):
            if (text.startswith("\n"), text.endswith("\n")) != (
                entry.msgid.startswith("\n"),
                entry.msgid.endswith("\n"),
            ):
                wrong.append(f"  {entry.msgid!r} -> {text!r}")
    assert not wrong, "leading/trailing newlines differ from the source:\n" + "\n".join(wrong)


def _mo_contents(path: Path) -> tuple[dict, dict]:
    mo = polib.mofile(str(path))
    entries = {
        key(e): (e.msgid_plural, e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo
    }
    return dict(mo.metadata), entries


def test_mo_is_up_to_date(po, lang):
    mo_path = po_path(lang).with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `python scripts/compile_messages.py`"
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "django.mo"
        po.save_as_mofile(str(fresh))
        expected_meta, expected = _mo_contents(fresh)
    actual_meta, actual = _mo_contents(mo_path)
    stale = sorted(
        k[1] for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k)
    )
    assert not stale, (
        f"{mo_path.relative_to(ROOT)} is out of date for {len(stale)} entries "
        f"(run `python scripts/compile_messages.py`), e.g. {stale[:5]}"
    )
    assert actual_meta == expected_meta


@pytest.mark.parametrize("language", TRANSLATED)
def test_interface_is_translated_at_runtime(language):
    source = "Final-exam forms and platforms"
    with translation.override(language):
        translated = translation.gettext(source)
    assert translated
    assert translated != source


@pytest.mark.parametrize(
    ("language", "cases"), [("kk", {1: 0, 5: 1}), ("ru", {1: 0, 3: 1, 5: 2, 21: 0})]
)
def test_plural_forms_are_picked_by_the_catalog_rule(language, cases):
    entries = [e for e in live_entries(polib.pofile(str(po_path(language)))) if e.msgid_plural]
    with translation.override(language):
        for entry in entries:
            for n, index in cases.items():
                got = translation.ngettext(entry.msgid, entry.msgid_plural, n)
                assert got == entry.msgstr_plural[index], (entry.msgid, n)


GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib")


def _require_gettext_tools() -> None:
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    message = f"GNU gettext tools not installed: {', '.join(missing)}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (required in CI)")
    pytest.skip(message)


def test_po_files_pass_msgfmt_check():
    _require_gettext_tools()
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt not installed")
    for language in TRANSLATED:
        result = subprocess.run(
            ["msgfmt", "--check", "-o", os.devnull, str(po_path(language))],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_catalog_covers_every_string_in_the_code():
    """Re-extract the strings into the kk catalog and check nothing new turns up.

    makemessages has no dry run, so it rewrites the real catalog; the original bytes are
    put back afterwards whatever happens.
    """
    _require_gettext_tools()
    path = po_path("kk")
    original = path.read_bytes()
    before = {key(e) for e in live_entries(polib.pofile(str(path)))}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "emtihan.settings_test"}
    try:
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "makemessages",
                "-l",
                "kk",
                *MAKEMESSAGES_ARGS,
            ],
            cwd=PACKAGE,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        regenerated = live_entries(polib.pofile(str(path)))
    finally:
        path.write_bytes(original)
    new = [e for e in regenerated if key(e) not in before]
    if new:
        pytest.fail(
            f"{len(new)} strings in the code are not in the catalogs; run `make messages` "
            f"(with the -i tests flags) and translate them:\n{describe(new)}"
        )
