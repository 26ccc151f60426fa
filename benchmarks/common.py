"""What every benchmark script shares: each instance measured in its own process (so its
peak memory and timings are its own), and the rows written as CSV."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence


def run_instance(script: str, args: Sequence[str]) -> Any:
    """Run ``script --one ...`` in a fresh Python and return the JSON its last line prints."""
    out = subprocess.run([sys.executable, script, "--one", *args],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_rows(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """The rows as CSV at ``path`` (its folder created), then say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)
    print(f"written {path}")
