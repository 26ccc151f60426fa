"""Keyed pseudonyms for child and person ids, and their reversal with the key.

Why it exists: an import is often run where the plan will be shared beyond those allowed
to see who the children are. ``--pseudonymise KEYFILE`` replaces every person id (and
family id) in the output by ``P`` + the first 20 hex digits of HMAC-SHA256(key, id): the
same child gets the same pseudonym in every import made with the same key, and without the
key the pseudonym cannot be linked back. The key file, and the lookup that reverses the
pseudonyms (``KEYFILE.lookup.csv``), are written only beside the key, never into the
output; ``caseload reidentify`` uses both, and refuses a lookup that the key did not make.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import secrets
from pathlib import Path

KEY_BYTES = 32
PSEUDONYM_HEX = 20  # 80 bits: collisions are checked, and refused, all the same
PERSON_COLUMNS = ("pers_person_id", "fami_person_id", "invo_person_id", "cine_person_id",
                  "cppl_person_id", "clae_person_id", "lega_person_id", "disa_person_id",
                  "immi_person_id", "kdat_person_id", "cfla_person_id", "over_person_id")
FAMILY_COLUMNS = ("fami_family_id",)
PERIOD_COLUMNS = ("clae_cla_id", "clar_cla_id")  # hashed too, but never reversed
NAME_COLUMNS = ("prof_professional_name",)  # worker names are personal data too


class KeyFileError(Exception):
    """The key file is missing, unreadable, too open or inside the output."""


def create_key(path: Path) -> None:
    """Write a new random key readable and writable by its owner only; never overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(KEY_BYTES) + "\n")


def load_key(path: Path) -> bytes:
    """The key in ``path``; refused if the file can be read by anyone but its owner."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        raise KeyFileError(f"key file {path.name} cannot be read; create one with --new-key") from None
    if os.name == "posix" and mode & 0o077:
        raise KeyFileError(f"key file {path.name} is readable by others; run chmod 600 on it")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise KeyFileError(f"key file {path.name} does not hold a hex key") from None
    if len(key) < 16:
        raise KeyFileError(f"key file {path.name} holds too short a key")
    return key


def pseudonym(key: bytes, kind: str, value: str) -> str:
    """The pseudonym of one id; ``kind`` keeps a person and a family with equal ids apart."""
    digest = hmac.new(key, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()
    return ("P" if kind == "person" else "F") + digest[:PSEUDONYM_HEX]


def pseudonymise_tables(tables: dict[str, list[dict[str, str]]],
                        key: bytes) -> dict[str, str]:
    """Replace person, family and period ids in place and blank worker names; returns
    pseudonym -> id for person and family ids (the ones a plan shows)."""
    lookup: dict[str, str] = {}
    for kind, columns in (("person", PERSON_COLUMNS), ("family", FAMILY_COLUMNS)):
        for rows in tables.values():
            for row in rows:
                for column in columns:
                    if row.get(column):
                        alias = pseudonym(key, kind, row[column])
                        if lookup.setdefault(alias, row[column]) != row[column]:
                            raise KeyFileError("two ids share a pseudonym; use a new key")
                        row[column] = alias
    for rows in tables.values():  # a source's period ids may embed a child's id
        for row in rows:
            for column in PERIOD_COLUMNS:
                if row.get(column):
                    row[column] = "C" + pseudonym(key, "period", row[column])[1:]
            for column in NAME_COLUMNS:
                if column in row:
                    row[column] = ""
    return lookup


def lookup_path(key_file: Path) -> Path:
    return key_file.with_name(key_file.name + ".lookup.csv")


def write_lookup(key_file: Path, lookup: dict[str, str]) -> Path:
    """Merge ``lookup`` into the owner-only lookup file beside the key."""
    path = lookup_path(key_file)
    merged = read_lookup(path) if path.exists() else {}
    merged.update(lookup)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("pseudonym", "id"))
    writer.writerows(sorted(merged.items()))
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(buffer.getvalue())
    os.replace(tmp, path)
    return path


def read_lookup(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8", newline="") as f:
        return {r["pseudonym"]: r["id"] for r in csv.DictReader(f)}


def verified_lookup(key_file: Path) -> dict[str, str]:
    """The lookup beside the key, with every entry re-derived from the key."""
    key = load_key(key_file)
    path = lookup_path(key_file)
    if not path.exists():
        raise KeyFileError(f"no lookup file {path.name} beside the key")
    lookup = read_lookup(path)
    for alias, value in lookup.items():
        kind = "person" if alias.startswith("P") else "family"
        if not hmac.compare_digest(pseudonym(key, kind, value), alias):
            raise KeyFileError(f"{path.name} was not made with this key")
    return lookup


def reidentify_text(text: str, lookup: dict[str, str]) -> tuple[str, int]:
    """Replace every pseudonym in ``text`` by its id; returns the text and the count."""
    import re

    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        if match[0] in lookup:
            count += 1
            return lookup[match[0]]
        return match[0]

    pattern = rf"\b[PF][0-9a-f]{{{PSEUDONYM_HEX}}}\b"
    return re.sub(pattern, swap, text), count
