"""Make the helpers beside this file (fortinet_harness, fortinet_generate) importable by plain name."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.append(_HERE)
