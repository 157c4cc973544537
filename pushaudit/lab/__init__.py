"""The built-in lab: real OpenSSH, Squid, NSD/Unbound and nftables in network namespaces.

``lab_up``, ``lab_down`` and ``lab_status`` are the entry points; the CLI wraps them
(``add_lab_parser``). Everything needs root.
"""

from pushaudit.lab.cli import add_lab_parser
from pushaudit.lab.down import lab_down
from pushaudit.lab.state import LabError, default_state_dir
from pushaudit.lab.status import LabStatus, lab_status
from pushaudit.lab.up import lab_up

__all__ = ["LabError", "LabStatus", "add_lab_parser", "default_state_dir", "lab_down", "lab_status", "lab_up"]
