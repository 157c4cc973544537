"""`pushaudit lab status`: what the journal recorded, and whether it still runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pushaudit.lab import netns
from pushaudit.lab import topology as topo
from pushaudit.lab.shell import is_alive
from pushaudit.lab.state import Journal


@dataclass
class LabStatus:
    """``running``: built completely, every namespace present, every daemon alive."""

    state_dir: Path
    running: bool
    built: bool
    lines: list[str] = field(default_factory=list)


def lab_status(state_dir: Path) -> LabStatus:
    state_dir = state_dir.absolute()
    journal = Journal.load(state_dir)
    if not journal.exists():
        return LabStatus(state_dir, running=False, built=False, lines=[f"no lab state in {state_dir}"])
    state = journal.state
    present = netns.existing_namespaces()
    lines: list[str] = []
    healthy = state.complete
    for name in topo.namespace_names():
        here = name in present
        healthy = healthy and here
        lines.append(f"namespace {name:<10} {'present' if here else 'MISSING'}")
    for record in state.processes:
        alive = is_alive(record)
        # helpers come and go with their parents; only the daemons we started decide health
        if not record.helper:
            healthy = healthy and alive
        name = f"{record.name} (helper)" if record.helper else record.name
        where = f"pid {record.pid:<7} in {record.ns:<9}"
        lines.append(f"process {name:<26} {where} {'running' if alive else 'GONE'}")
    if not state.complete:
        lines.insert(0, "lab build did not finish (run `pushaudit lab down`, then `up` again)")
    return LabStatus(state_dir, running=healthy, built=state.complete, lines=lines)
