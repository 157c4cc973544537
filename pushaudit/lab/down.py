"""`pushaudit lab down`: remove exactly what the journal says the lab made."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from pathlib import Path

from pushaudit.lab import accounts, netns
from pushaudit.lab import topology as topo
from pushaudit.lab.shell import is_alive, stop_processes
from pushaudit.lab.state import STATE_FILE, Journal, LabError

log = logging.getLogger(__name__)

# Squid needs about 3 s to exit even with `shutdown_lifetime 1 seconds`
DAEMON_GRACE_S = 8.0
HELPER_GRACE_S = 2.0

# everything `up` writes below the state dir
STATE_ENTRIES = ("ssh", "sshd", "dns", "apple", "ca", "squid", "logs", "sudoers.staged", STATE_FILE)


def lab_down(state_dir: Path) -> None:
    """Stop the recorded processes, delete namespaces, /etc files, the user and the state.

    Safe to repeat. Raises LabError naming what could not be removed; the journal is then
    kept so a later `down` can finish the job.
    """
    if os.geteuid() != 0:
        raise PermissionError("pushaudit lab needs root (network namespaces)")
    state_dir = state_dir.absolute()
    journal = Journal.load(state_dir)
    if not journal.exists():
        strays = netns.existing_namespaces() & set(topo.namespace_names())
        if strays:
            log.warning("no lab state in %s; namespaces %s were left alone", state_dir, ", ".join(sorted(strays)))
        return
    # daemons first: their helpers exit with them (a Squid whose helper is killed aborts)
    processes = journal.state.processes
    notes = stop_processes([r for r in processes if not r.helper], grace_s=DAEMON_GRACE_S)
    notes += stop_processes([r for r in processes if r.helper], grace_s=HELPER_GRACE_S)
    notes += netns.remove(journal)
    netns.remove_etc_netns(journal.state.etc_netns)
    accounts.remove_sudoers(journal)
    problems = _leftovers(journal)
    if journal.state.user_created and not problems:
        problem = accounts.remove_user(topo.SSH_USER)
        if problem:
            problems.append(problem)
    for note in notes:
        log.warning("%s", note)
    if problems:
        raise LabError("lab down left things behind:\n  " + "\n  ".join(problems))
    _remove_state(state_dir)


def _leftovers(journal: Journal) -> list[str]:
    problems = [f"process {r.name} (pid {r.pid}) still runs" for r in journal.state.processes if is_alive(r)]
    remaining = netns.existing_namespaces() & set(journal.state.namespaces)
    problems += [f"namespace {name} still exists" for name in sorted(remaining)]
    problems += [f"/etc/netns/{n} still exists" for n in journal.state.etc_netns if (netns.ETC_NETNS / n).exists()]
    if journal.state.sudoers_file and Path(journal.state.sudoers_file).exists():
        problems.append(f"{journal.state.sudoers_file} still exists")
    return problems


def _remove_state(state_dir: Path) -> None:
    for name in STATE_ENTRIES:
        path = state_dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        state_dir.rmdir()  # only when nothing else lives there
