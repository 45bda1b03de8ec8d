"""``python -m benchmarks``: every benchmark, one table (see ``run_all.py``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_all import main

main()
