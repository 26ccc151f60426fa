"""Pseudonymised imports: keyed hashes in the output, the key and lookup kept outside it."""

import os
import stat
from pathlib import Path

import pytest

from allocator.importers.api import ImportOptions, run_import
from allocator.importers.pseudonymise import (
    KeyFileError,
    create_key,
    load_key,
    pseudonym,
    reidentify_text,
    verified_lookup,
)
from allocator.importers.report import ImportFailed

ANNEX_A = Path(__file__).parents[2] / "shared" / "data" / "annex-a" / "liia-tools-sample-Annex_A.xlsx"
pytestmark = pytest.mark.skipif(not ANNEX_A.exists(), reason="needs ../shared/data")


def test_key_is_created_owner_only_and_never_overwritten(tmp_path):
    key_file = tmp_path / "keys" / "council.key"
    key_file.parent.mkdir()
    create_key(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(load_key(key_file)) == 32
    with pytest.raises(FileExistsError):
        create_key(key_file)
    os.chmod(key_file, 0o644)
    with pytest.raises(KeyFileError):
        load_key(key_file)


def test_pseudonyms_are_keyed_and_stable():
    a, b = b"k" * 32, b"j" * 32
    assert pseudonym(a, "person", "123") == pseudonym(a, "person", "123")
    assert pseudonym(a, "person", "123") != pseudonym(b, "person", "123")
    assert pseudonym(a, "person", "123") != pseudonym(a, "family", "123")


def test_pseudonymised_import_holds_no_child_id_and_no_key(tmp_path):
    key_file = tmp_path / "secret" / "council.key"
    key_file.parent.mkdir()
    out = tmp_path / "out"
    result = run_import("annex-a", ANNEX_A, out, ImportOptions(
        generate_staff=True, key_file=key_file, new_key=True))
    key_hex = key_file.read_text().strip()
    text = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    assert key_hex not in text
    for child in ("1761444", "10721552", "7961370"):
        assert child not in text
    assert "Eugene Swift" not in text  # worker names are dropped too
    lookup = verified_lookup(key_file)
    assert result.lookup_file == key_file.with_name("council.key.lookup.csv")
    assert stat.S_IMODE(result.lookup_file.stat().st_mode) == 0o600
    assert "1761444" in lookup.values() and len(lookup) == 23


def test_key_inside_the_output_is_refused(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ImportFailed) as err:
        run_import("annex-a", ANNEX_A, out, ImportOptions(key_file=out / "k.key", new_key=True))
    assert err.value.issues[0].code == "KEY_IN_OUTPUT"
    assert not out.exists()


def test_lookup_made_with_another_key_is_refused(tmp_path):
    key_file = tmp_path / "a.key"
    run_import("annex-a", ANNEX_A, tmp_path / "out", ImportOptions(key_file=key_file,
                                                                    new_key=True))
    other = tmp_path / "b.key"
    create_key(other)
    os.replace(key_file.with_name("a.key.lookup.csv"), other.with_name("b.key.lookup.csv"))
    with pytest.raises(KeyFileError):
        verified_lookup(other)


def test_reidentify_text_swaps_only_known_pseudonyms():
    alias = pseudonym(b"k" * 32, "person", "0042")
    text, count = reidentify_text(f"{alias},P{'0' * 20},x", {alias: "0042"})
    assert (text, count) == (f"0042,P{'0' * 20},x", 1)
