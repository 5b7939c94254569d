"""The Russian catalogue of the workspace is complete, consistent and compiled.

``make translations`` re-extracts the messages and compiles the catalogue; these tests fail
when someone adds a message without its translation, or edits the .po without compiling it.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "moderation" / "translations"
PO = I18N / "ru" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "N_": None}


@pytest.fixture(scope="module")
def catalogue() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, locale="ru")


def _key(message_id: object) -> object:
    return message_id if isinstance(message_id, str) else tuple(message_id)


def test_every_message_in_the_code_and_templates_is_translated(catalogue: Catalog) -> None:
    with (I18N / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    extracted = {
        _key(message)
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS
        )
    }
    assert len(extracted) > 150
    translated = {_key(m.id): m for m in catalogue if m.id}
    missing = extracted - set(translated)
    assert not missing, f"run `make translations` and translate: {sorted(map(str, missing))}"
    unused = set(translated) - extracted
    assert not unused, f"no longer in the code (run `make translations`): {unused}"
    for key, message in translated.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {key}"
        assert not message.fuzzy, f"fuzzy: {key}"


def test_placeholders_and_plural_forms_agree(catalogue: Catalog) -> None:
    """Babel's own checks: the same %(name)s placeholders, and three plural forms (Russian)."""
    assert catalogue.num_plurals == 3
    problems = [(m.id, errors) for m, errors in catalogue.check() if errors]
    assert not problems


def test_the_compiled_catalogue_is_the_po_file_compiled(catalogue: Catalog) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    assert (PO.parent / "messages.mo").read_bytes() == compiled.getvalue(), (
        "messages.mo is out of date: run `make translations`"
    )
