import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import os
from datetime import date

import pytest
from hypothesis import settings

from allocator.demo import write_demo
from allocator.pipeline import PlanRun, run_plan

# Default: quick properties in the everyday suite. HYPOTHESIS_PROFILE=ci runs 1,000 examples
# per property (the reliability figure in docs/reliability.md).
settings.register_profile("default", max_examples=60)
settings.register_profile("ci", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def weekly_thousand(tmp_path_factory: pytest.TempPathFactory) -> PlanRun:
    """A 1,000-child demo council's weekly plan (seed 3, 5 s): planned once for the bound's
    tests (test_row_lp, test_patterns)."""
    folder = write_demo(tmp_path_factory.mktemp("weekly") / "council", 1000, 3,
                        date(2026, 11, 20))
    return run_plan(folder, seed=3, time_limit=5)
