"""Re-identify a plan made from pseudonymised input, with the key and its lookup.

Why it exists: a plan made on pseudonymised data must still reach the children's real
records when a manager acts on it. Only the holder of the key (and the lookup written
beside it at import) can do this; the plan folder alone cannot be linked back.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from allocator.importers.pseudonymise import reidentify_text, verified_lookup

TEXT_SUFFIXES = (".csv", ".json", ".txt", ".html", ".md")


def reidentify_plan(plan_dir: Path, key_file: Path, out: Path) -> int:
    """Copy ``plan_dir`` to ``out`` with every pseudonym replaced; returns how many.

    Binary files (the Excel workbook) are not copied: rebuild them from the CSVs.
    """
    if not Path(plan_dir).is_dir():
        raise NotADirectoryError(f"{Path(plan_dir).name} is not a plan folder")
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out.name} exists and is not empty; choose a new folder")
    lookup = verified_lookup(key_file)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    total = 0
    try:
        for path in sorted(Path(plan_dir).iterdir()):
            if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
                text, count = reidentify_text(path.read_text(encoding="utf-8"), lookup)
                (tmp / path.name).write_text(text, encoding="utf-8")
                total += count
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return total
