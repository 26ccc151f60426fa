"""Every quote in every pack appears in its policy's text: citations are the policy's words."""

import re
from pathlib import Path

import pytest

from allocator.rules.pack import available_packs, load_pack

POLICIES = Path(__file__).resolve().parents[2] / "shared" / "policies"


def _normal(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("*", "").replace("\u2013", "-")
    text = text.replace("\u2014", "-").replace("''", "'")
    return re.sub(r"\s+", " ", text).strip().lower()


@pytest.mark.parametrize("name", available_packs())
def test_every_quote_is_in_the_source_text(name):
    pack = load_pack(name)
    source = POLICIES / pack.pack.source
    if not source.is_file():
        pytest.skip("the policy texts are not beside this checkout")
    text = _normal(source.read_text(encoding="utf-8"))
    quotes = [(r.id, r.quote) for r in pack.rules]
    quotes += [(f"not_encoded {n.clause}", n.quote) for n in pack.not_encoded]
    quotes.append(("default", pack.pack.default_quote))
    missing = []
    for where, quote in quotes:
        parts = [p for p in re.split(r"\s*\.\.\.\s*", _normal(quote)) if p]
        if not all(p in text for p in parts):
            missing.append(where)
    assert missing == []
