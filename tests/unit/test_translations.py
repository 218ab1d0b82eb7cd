"""The message catalogs: every UI text is translated to Indonesian, and the committed .mo
files are what the .po files compile to (so a fresh install needs no build step)."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "creditapp" / "translations"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def _source_ids() -> set[str]:
    method_map = [("creditapp/**.py", "python"), ("creditapp/templates/**.html", "jinja2")]
    ids = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT), method_map, keywords=KEYWORDS
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_text_in_the_code_is_translated_to_indonesian() -> None:
    catalog = _catalog("id")
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    source = _source_ids()
    assert "Sign in" in source  # the extraction itself works
    missing = sorted(source - translated)
    assert missing == [], "run `make translations` and translate: " + "; ".join(missing)
    assert fuzzy == []


def test_committed_mo_files_match_the_po_files() -> None:
    for lang in ("id", "en"):
        with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as f:
            compiled = read_mo(io.BytesIO(f.read()))
        po = {
            _key(m.id): _key(m.string)
            for m in _catalog(lang)
            if m.id and _filled(m.string) and not m.fuzzy
        }
        # pybabel compile writes an untranslated plural with its English forms as the strings.
        mo = {
            _key(m.id): _key(m.string)
            for m in compiled
            if m.id and not (isinstance(m.id, list) and m.string == m.id)
        }
        assert mo == po, f"{lang}: run `make translations` (pybabel compile)"


def _key(value: object) -> object:
    # A plural message's id and strings are a tuple in a .po catalog but a list from a .mo.
    return tuple(value) if isinstance(value, list | tuple) else value


def _filled(value: object) -> bool:
    return all(value) if isinstance(value, list | tuple) else bool(value)
