"""The report tests share helper modules that sit beside them (report_sample, html_probe).

pytest runs with --import-mode=importlib, which does not put a test's folder on sys.path.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
