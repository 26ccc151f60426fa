import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import os

from hypothesis import settings

# Default: quick properties in the everyday suite. HYPOTHESIS_PROFILE=ci runs 1,000 examples
# per property (the reliability figure in docs/reliability.md).
settings.register_profile("default", max_examples=60)
settings.register_profile("ci", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
