"""pytest runs with --import-mode=importlib, which puts no test folder on sys.path: the helper
modules beside this file (panos_harness, panos_generator) are imported by name."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
